// The gateway's own HTTP answers: /healthz, /metrics, the demo page and its assets, and what stays 404.
#include <doctest/doctest.h>

#include <string>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "http/routes.hpp"

namespace {

namespace gw = sio::gateway;
namespace bh = boost::beast::http;

gw::http::gateway_stats sample_stats(bool redis_connected) {
  gw::http::gateway_stats s;
  s.engine.open_sessions = 3;
  s.engine.websocket_sessions = 2;
  s.engine.polling_sessions = 1;
  s.engine.handshakes_total = 11;
  s.engine.upgrades_total = 5;
  s.engine.packets_sent_total = 40;
  s.engine.bytes_sent_total = 1234;
  s.engine.slow_consumers_closed_total = 12;
  s.engine.connections_refused_total = 13;
  s.engine.handshakes_rate_limited_total = 14;
  s.engine.pending_refused_total = 16;
  s.engine.preauth_refused_total = 17;
  s.engine.preauth_bytes = 18;
  s.engine.accept_errors_total = 19;
  s.sockets = 4;
  s.volatile_dropped = 15;
  s.redis.redis_connected = redis_connected;
  s.redis.broadcasts_received = 7;
  s.redis.broadcasts_ignored = 2;
  s.redis.deliveries = 9;
  s.redis.requests_received = 1;
  s.redis.malformed_messages = 0;
  s.redis.reconnects = 6;
  s.redis.channels = 5;
  return s;
}

std::optional<gw::engineio::http_response> get(const gw::engineio::route_handler& routes, const std::string& target,
                                               bh::verb method = bh::verb::get) {
  gw::engineio::http_request req{method, target, 11};
  return routes(req);
}

std::string header(const gw::engineio::http_response& res, bh::field f) { return std::string{res[f]}; }
std::string header(const gw::engineio::http_response& res, const char* name) { return std::string{res[name]}; }

}  // namespace

TEST_CASE("GET /healthz is 200 with the socket count while Redis is connected") {
  const auto routes = gw::http::make_routes({}, [] { return sample_stats(true); });
  const auto res = get(routes, "/healthz");
  REQUIRE(res);
  CHECK(res->result() == bh::status::ok);
  CHECK(header(*res, bh::field::content_type) == "application/json");
  CHECK(res->body() == R"({"status":"ok","redis":"connected","mode":"classic","channels":5,"nodes":[],"sockets":4})");
}

TEST_CASE("GET /healthz names each Redis node with its channels and streams, and is 503 while a reader is away") {
  auto stats = sample_stats(true);
  stats.redis.mode = "streams";
  stats.redis.streams = 2;
  stats.redis.streams_connected = 2;
  stats.redis.nodes = {{"127.0.0.1:7000", 2, 1}, {"[::1]:7001", 0, 1}};
  const auto routes = gw::http::make_routes({}, [&] { return stats; });
  auto res = get(routes, "/healthz");
  REQUIRE(res);
  CHECK(res->result() == bh::status::ok);
  CHECK(res->body() == R"({"status":"ok","redis":"connected","mode":"streams","channels":5,"streams":2,)"
                       R"("streams_connected":2,"nodes":[{"node":"127.0.0.1:7000","channels":2,"streams":1},)"
                       R"({"node":"[::1]:7001","channels":0,"streams":1}],"sockets":4})");
  const auto metrics = get(routes, "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body().find("sio_gateway_redis_node_channels{node=\"127.0.0.1:7000\"} 2\n") != std::string::npos);
  CHECK(metrics->body().find("sio_gateway_redis_node_streams{node=\"[::1]:7001\"} 1\n") != std::string::npos);
  stats.redis.streams_connected = 1;
  res = get(routes, "/healthz");
  REQUIRE(res);
  CHECK(res->result() == bh::status::service_unavailable);
}

TEST_CASE("GET /healthz is 503 with redis disconnected when the subscription is down") {
  const auto routes = gw::http::make_routes({}, [] { return sample_stats(false); });
  const auto res = get(routes, "/healthz?probe=1");
  REQUIRE(res);
  CHECK(res->result() == bh::status::service_unavailable);
  CHECK(res->body() ==
        R"({"status":"unavailable","redis":"disconnected","mode":"classic","channels":5,"nodes":[],"sockets":4})");
}

TEST_CASE("GET /metrics is the Prometheus text format with HELP and TYPE for every sample") {
  const auto routes = gw::http::make_routes({}, [] { return sample_stats(true); });
  const auto res = get(routes, "/metrics");
  REQUIRE(res);
  CHECK(res->result() == bh::status::ok);
  CHECK(header(*res, bh::field::content_type) == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& body = res->body();
  for (const char* sample : {"\nsio_gateway_connections 3\n", "\nsio_gateway_sockets 4\n",
                             "sio_gateway_transport_connections{transport=\"polling\"} 1\n",
                             "sio_gateway_transport_connections{transport=\"websocket\"} 2\n",
                             "\nsio_gateway_handshakes_total 11\n", "\nsio_gateway_upgrades_total 5\n",
                             "\nsio_gateway_packets_sent_total 40\n", "\nsio_gateway_sent_bytes_total 1234\n",
                             "\nsio_gateway_redis_connected 1\n", "\nsio_gateway_redis_channels 5\n",
                             "\nsio_gateway_broadcasts_received_total 7\n",
                             "\nsio_gateway_broadcasts_ignored_total 2\n", "\nsio_gateway_deliveries_total 9\n",
                             "\nsio_gateway_requests_received_total 1\n", "\nsio_gateway_malformed_messages_total 0\n",
                             "\nsio_gateway_redis_reconnects_total 6\n",
                             "\nsio_gateway_slow_consumers_closed_total 12\n",
                             "\nsio_gateway_connections_refused_total 13\n",
                             "\nsio_gateway_handshakes_rate_limited_total 14\n",
                             "\nsio_gateway_volatile_dropped_total 15\n",
                             "\nsio_gateway_pending_refused_total 16\n", "\nsio_gateway_preauth_refused_total 17\n",
                             "\nsio_gateway_preauth_bytes 18\n", "\nsio_gateway_accept_errors_total 19\n"}) {
    CHECK_MESSAGE(body.find(sample) != std::string::npos, sample);
  }
  CHECK(body.find("# TYPE sio_gateway_deliveries_total counter\n") != std::string::npos);
  CHECK(body.find("# TYPE sio_gateway_sockets gauge\n") != std::string::npos);

  // Every sample line belongs to a metric declared just before it, and counters (only they) end with _total.
  std::string declared;
  std::string declared_type;
  std::size_t samples = 0;
  std::size_t start = 0;
  while (start < body.size()) {
    const std::size_t end = body.find('\n', start);
    REQUIRE(end != std::string::npos);  // the exposition ends with a newline
    const std::string line = body.substr(start, end - start);
    start = end + 1;
    if (line.rfind("# HELP ", 0) == 0) {
      declared = line.substr(7, line.find(' ', 7) - 7);
    } else if (line.rfind("# TYPE ", 0) == 0) {
      CHECK(line.substr(7, declared.size()) == declared);
      declared_type = line.substr(8 + declared.size());
      const bool total = declared.size() > 6 && declared.compare(declared.size() - 6, 6, "_total") == 0;
      CHECK_MESSAGE(total == (declared_type == "counter"), line);
    } else {
      const std::string name = line.substr(0, line.find_first_of("{ "));
      CHECK_MESSAGE(name == declared, line);
      ++samples;
    }
  }
  CHECK(samples == 31);
}

TEST_CASE("--admin-listen splits the routes: /healthz and /metrics on one server, the page on the other") {
  gw::http::routes_options page_only;
  page_only.admin = false;
  const auto client_port = gw::http::make_routes(page_only, [] { return sample_stats(true); });
  CHECK_FALSE(get(client_port, "/healthz"));
  CHECK_FALSE(get(client_port, "/metrics?x=1"));
  CHECK(get(client_port, "/"));
  gw::http::routes_options admin_only;
  admin_only.page = false;
  const auto admin_port = gw::http::make_routes(admin_only, [] { return sample_stats(true); });
  CHECK(get(admin_port, "/healthz"));
  CHECK(get(admin_port, "/metrics"));
  CHECK_FALSE(get(admin_port, "/"));
  CHECK_FALSE(get(admin_port, "/socket.io.min.js"));
}

TEST_CASE("GET / is the demo page, its script and stylesheet are served beside it") {
  const auto routes = gw::http::make_routes({}, [] { return sample_stats(true); });
  const auto page = get(routes, "/?token=abc.def.ghi");
  REQUIRE(page);
  CHECK(page->result() == bh::status::ok);
  CHECK(header(*page, bh::field::content_type) == "text/html; charset=utf-8");
  CHECK(page->body().find("<script src=\"/socket.io.min.js\"></script>") != std::string::npos);
  CHECK(page->body().find("<script src=\"/demo.js\"></script>") != std::string::npos);
  CHECK(page->body().find("id=\"feed\"") != std::string::npos);
  // The token is in the page's URL: it must not leak through Referer, and only our own scripts may run.
  CHECK(header(*page, "Referrer-Policy") == "no-referrer");
  CHECK(header(*page, "Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  CHECK(header(*page, bh::field::cache_control) == "no-store");

  const auto js = get(routes, "/demo.js");
  REQUIRE(js);
  CHECK(header(*js, bh::field::content_type) == "application/javascript; charset=utf-8");
  CHECK(js->body().find("socket.on(\"notification\", render)") != std::string::npos);
  CHECK(js->body().find("innerHTML") == std::string::npos);  // untrusted text goes through textContent only

  const auto css = get(routes, "/demo.css");
  REQUIRE(css);
  CHECK(header(*css, bh::field::content_type) == "text/css; charset=utf-8");
}

TEST_CASE("/socket.io.min.js is the configured client bundle, and 404 without one") {
  gw::http::routes_options with_bundle;
  with_bundle.client_bundle = "/* socket.io bundle */";
  const auto routes = gw::http::make_routes(with_bundle, [] { return sample_stats(true); });
  const auto res = get(routes, "/socket.io.min.js");
  REQUIRE(res);
  CHECK(res->body() == "/* socket.io bundle */");
  CHECK(header(*res, bh::field::content_type) == "application/javascript; charset=utf-8");

  const auto without = gw::http::make_routes({}, [] { return sample_stats(true); });
  CHECK_FALSE(get(without, "/socket.io.min.js"));
}

TEST_CASE("unknown paths are left to the server's 404, other methods get 405, HEAD keeps the length") {
  const auto routes = gw::http::make_routes({}, [] { return sample_stats(true); });
  CHECK_FALSE(get(routes, "/nope"));
  CHECK(get(routes, "/favicon.ico")->result() == bh::status::no_content);  // no 404 in the browser console
  CHECK_FALSE(get(routes, "/healthz/extra"));
  CHECK_FALSE(get(routes, "/../etc/passwd"));

  const auto post = get(routes, "/metrics", bh::verb::post);
  REQUIRE(post);
  CHECK(post->result() == bh::status::method_not_allowed);
  CHECK(header(*post, bh::field::allow) == "GET, HEAD");

  const auto full = get(routes, "/healthz");
  const auto head = get(routes, "/healthz", bh::verb::head);
  REQUIRE(head);
  CHECK(head->result() == bh::status::ok);
  CHECK(head->body().empty());
  CHECK(header(*head, bh::field::content_length) == std::to_string(full->body().size()));
}
