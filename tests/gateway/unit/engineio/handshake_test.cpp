// The open packet (PROTOCOL.md §7.2), the error bodies (§7.1), query decoding and CORS decisions.
#include <doctest/doctest.h>

#include <boost/beast/http/field.hpp>

#include "engineio/cors.hpp"
#include "engineio/open_packet.hpp"
#include "engineio/protocol_error.hpp"
#include "engineio/query.hpp"

using namespace sio::gateway::engineio;
namespace http = boost::beast::http;

TEST_CASE("the open packet has engine.io's fields in engine.io's order") {
  CHECK(open_packet({"Jt0xzJAUg-j0ZeINAAAA", true, std::chrono::milliseconds{25000}, std::chrono::milliseconds{20000},
                     1000000}) ==
        R"(0{"sid":"Jt0xzJAUg-j0ZeINAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
  CHECK(open_packet({"AAAAAAAAAAAAAAAAAAAB", false, std::chrono::milliseconds{300}, std::chrono::milliseconds{200},
                     1000}) ==
        R"(0{"sid":"AAAAAAAAAAAAAAAAAAAB","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000})");
}

TEST_CASE("error bodies are engine.io's JSON") {
  CHECK(error_body(protocol_error::unknown_transport) == R"({"code":0,"message":"Transport unknown"})");
  CHECK(error_body(protocol_error::unknown_sid) == R"({"code":1,"message":"Session ID unknown"})");
  CHECK(error_body(protocol_error::bad_handshake_method) == R"({"code":2,"message":"Bad handshake method"})");
  CHECK(error_body(protocol_error::bad_request) == R"({"code":3,"message":"Bad request"})");
  CHECK(error_body(protocol_error::forbidden) == R"({"code":4,"message":"Forbidden"})");
  CHECK(error_body(protocol_error::unsupported_protocol_version) ==
        R"({"code":5,"message":"Unsupported protocol version"})");
}

TEST_CASE("query parameters are decoded as URLSearchParams decodes them, in order") {
  const auto q = parse_query("/socket.io/?EIO=4&transport=polling&t=PZ3x&token=a%20b+c&empty=&flag&x=%zz#frag");
  REQUIRE(q.size() == 7);
  CHECK(q[0] == std::pair<std::string, std::string>{"EIO", "4"});
  CHECK(q[1] == std::pair<std::string, std::string>{"transport", "polling"});
  CHECK(q[3] == std::pair<std::string, std::string>{"token", "a b c"});
  CHECK(q[4] == std::pair<std::string, std::string>{"empty", ""});
  CHECK(q[5] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(q[6] == std::pair<std::string, std::string>{"x", "%zz"});
  CHECK(parse_query("/socket.io/").empty());
  CHECK(decode_query_component("%E2%9C%93") == "\xe2\x9c\x93");
  CHECK(decode_query_component("100%") == "100%");
}

TEST_CASE("a repeated parameter: the last one wins, as in engine.io's query object") {
  const auto q = parse_query("/?sid=first&sid=second");
  REQUIRE(query_value(q, "sid"));
  CHECK(*query_value(q, "sid") == "second");
  CHECK(query_value(q, "transport") == nullptr);
}

TEST_CASE("CORS headers only for allowed origins") {
  server_options options;
  http_request req{http::verb::get, "/socket.io/?EIO=4&transport=polling", 11};
  req.set(http::field::origin, "https://app.example");

  http_response none{http::status::ok, 11};
  add_cors_headers(options, req, none);  // no origins configured: Node's default, no headers
  CHECK(none.find(http::field::access_control_allow_origin) == none.end());

  options.cors_origins = {"https://other.example"};
  http_response refused{http::status::ok, 11};
  add_cors_headers(options, req, refused);
  CHECK(refused.find(http::field::access_control_allow_origin) == refused.end());

  options.cors_origins = {"https://other.example", "https://app.example"};
  options.cors_credentials = true;
  http_response allowed{http::status::ok, 11};
  add_cors_headers(options, req, allowed);
  CHECK(allowed[http::field::access_control_allow_origin] == "https://app.example");
  CHECK(allowed[http::field::access_control_allow_credentials] == "true");
  CHECK(allowed[http::field::vary] == "Origin");

  options.cors_origins = {"*"};
  options.cors_credentials = false;
  http_response any{http::status::ok, 11};
  add_cors_headers(options, req, any);
  CHECK(any[http::field::access_control_allow_origin] == "https://app.example");
  CHECK(any.find(http::field::access_control_allow_credentials) == any.end());
}

TEST_CASE("a preflight answers 204 with the methods and the requested headers") {
  server_options options;
  options.cors_origins = {"*"};
  http_request req{http::verb::options, "/socket.io/?EIO=4&transport=polling", 11};
  req.set(http::field::origin, "https://app.example");
  req.set(http::field::access_control_request_headers, "content-type");
  const auto res = preflight_response(options, req);
  CHECK(res.result() == http::status::no_content);
  CHECK(res[http::field::access_control_allow_origin] == "https://app.example");
  CHECK(res[http::field::access_control_allow_methods] == "GET,HEAD,PUT,PATCH,POST,DELETE");
  CHECK(res[http::field::access_control_allow_headers] == "content-type");
  CHECK(res[http::field::content_length] == "0");
}
