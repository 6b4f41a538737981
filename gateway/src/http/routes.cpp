#include "http/routes.hpp"

#include <memory>
#include <string_view>
#include <utility>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "http/demo_page.hpp"
#include "http/health.hpp"
#include "http/metrics.hpp"

namespace sio::gateway::http {
namespace {

namespace beast_http = boost::beast::http;

engineio::http_response text_response(beast_http::status status, unsigned version, std::string_view content_type,
                                      std::string body) {
  engineio::http_response res{status, version};
  res.set(beast_http::field::content_type, boost::beast::string_view{content_type.data(), content_type.size()});
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// The demo page carries a token in its URL: never send it on as a Referer, and run only our own scripts.
void set_page_headers(engineio::http_response& res) {
  res.set(beast_http::field::cache_control, "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
}

std::optional<engineio::http_response> answer(const routes_options& options,
                                              const std::function<gateway_stats()>& stats,
                                              const engineio::http_request& req) {
  const std::string_view target{req.target().data(), req.target().size()};
  const std::string_view path = target.substr(0, target.find('?'));
  const unsigned version = req.version();

  std::optional<engineio::http_response> res;
  const bool admin_path = path == "/healthz" || path == "/metrics";
  if (admin_path ? !options.admin : !options.page) return std::nullopt;
  if (path == "/healthz") {
    res = health_response(stats(), version);
  } else if (path == "/metrics") {
    res = text_response(beast_http::status::ok, version, metrics_content_type, metrics_text(stats()));
    res->set(beast_http::field::cache_control, "no-store");
  } else if (path == "/socket.io.min.js") {
    if (!options.client_bundle) return std::nullopt;
    res = text_response(beast_http::status::ok, version, "application/javascript; charset=utf-8",
                        *options.client_bundle);
    res->set("X-Content-Type-Options", "nosniff");
  } else if (path == "/favicon.ico") {
    res.emplace(beast_http::status::no_content, version);  // browsers ask for it; the page has none
  } else if (const auto asset = find_demo_asset(path)) {
    res = text_response(beast_http::status::ok, version, asset->content_type, std::string{asset->body});
    set_page_headers(*res);
  } else {
    return std::nullopt;
  }

  if (req.method() == beast_http::verb::head) {
    res->body().clear();  // keeps the Content-Length of the GET answer, as HEAD requires
  } else if (req.method() != beast_http::verb::get) {
    res = text_response(beast_http::status::method_not_allowed, version, "text/plain; charset=utf-8",
                        "method not allowed\n");
    res->set(beast_http::field::allow, "GET, HEAD");
  }
  res->keep_alive(req.keep_alive());
  return res;
}

}  // namespace

engineio::route_handler make_routes(routes_options options, std::function<gateway_stats()> stats) {
  auto shared = std::make_shared<const routes_options>(std::move(options));
  return [shared, stats = std::move(stats)](const engineio::http_request& req) {
    return answer(*shared, stats, req);
  };
}

}  // namespace sio::gateway::http
