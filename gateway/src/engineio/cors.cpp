#include "engineio/cors.hpp"

#include <algorithm>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

namespace sio::gateway::engineio {

namespace http = boost::beast::http;

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin) {
  return std::any_of(allowed.begin(), allowed.end(),
                     [origin](const std::string& entry) { return entry == "*" || entry == origin; });
}

void add_cors_headers(const server_options& options, const http_request& req, http_response& res) {
  if (options.cors_origins.empty()) return;
  const auto origin = req.find(http::field::origin);
  if (origin == req.end()) return;
  const std::string_view value{origin->value().data(), origin->value().size()};
  if (!origin_allowed(options.cors_origins, value)) return;
  res.set(http::field::access_control_allow_origin, origin->value());
  res.set(http::field::vary, "Origin");
  if (options.cors_credentials) res.set(http::field::access_control_allow_credentials, "true");
}

http_response preflight_response(const server_options& options, const http_request& req) {
  http_response res{http::status::no_content, req.version()};
  add_cors_headers(options, req, res);
  if (res.find(http::field::access_control_allow_origin) != res.end()) {
    res.set(http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
    const auto requested = req.find(http::field::access_control_request_headers);
    if (requested != req.end()) {
      res.set(http::field::access_control_allow_headers, requested->value());
      res.set(http::field::vary, "Origin, Access-Control-Request-Headers");
    }
  }
  res.content_length(0);
  res.keep_alive(req.keep_alive());
  return res;
}

}  // namespace sio::gateway::engineio
