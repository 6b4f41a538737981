#include "http/health.hpp"

#include <fmt/format.h>

#include "sio/internal/value/json_writer.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

namespace sio::gateway::http {

namespace beast_http = boost::beast::http;

engineio::http_response health_response(const gateway_stats& stats, unsigned http_version) {
  // Streams mode: every stream's reader must be connected too (else notifications written there wait).
  const bool ok = stats.redis.redis_connected && stats.redis.streams_connected == stats.redis.streams;
  engineio::http_response res{ok ? beast_http::status::ok : beast_http::status::service_unavailable, http_version};
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::cache_control, "no-store");
  res.body() = fmt::format(R"({{"status":"{}","redis":"{}","mode":"{}","channels":{},)", ok ? "ok" : "unavailable",
                           ok ? "connected" : "disconnected", stats.redis.mode, stats.redis.channels);
  if (stats.redis.streams > 0)
    res.body() += fmt::format(R"("streams":{},"streams_connected":{},)", stats.redis.streams,
                              stats.redis.streams_connected);
  // Where it is subscribed and reading: one entry per Redis server (a cluster: per master used).
  res.body() += R"("nodes":[)";
  for (std::size_t i = 0; i < stats.redis.nodes.size(); ++i) {
    const auto& n = stats.redis.nodes[i];
    if (i > 0) res.body() += ',';
    res.body() += R"({"node":)";
    sio::detail::write_json_string(res.body(), n.node);
    res.body() += fmt::format(R"(,"channels":{},"streams":{}}})", n.channels, n.streams);
  }
  res.body() += fmt::format(R"(],"sockets":{}}})", stats.sockets);
  res.prepare_payload();
  return res;
}

}  // namespace sio::gateway::http
