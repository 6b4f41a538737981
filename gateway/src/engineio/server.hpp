// The gateway's HTTP server: Engine.IO v4 on `path` (polling, WebSocket, upgrade, heartbeat; PROTOCOL.md §7) and
// every other path handed to a route callback (health, metrics, the demo page). Built on Boost.Beast.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "engineio/session.hpp"

namespace sio::gateway::engineio {

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 3000;  // 0: any free port (see server::port())
  std::string path = "/socket.io/";
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  std::size_t max_payload = 1000000;  // maxHttpBufferSize: polling POST bodies and WebSocket messages
  // Origins allowed by CORS on polling requests ("*" allows any); empty: no CORS headers (Node's default).
  std::vector<std::string> cors_origins;
  bool cors_credentials = false;
  // Bytes a session may have waiting to be written before it is closed as a slow consumer; 0: unbounded.
  std::size_t max_send_queue = 1024 * 1024;
  // Engine.IO sessions open at once (WebSocket handshakes in progress count too); a handshake beyond gets 503.
  // TCP connections are capped at twice this plus 100 (closed at accept beyond). 0: unlimited.
  std::size_t max_connections = 10000;
  // Handshakes per second per remote address (token bucket with bursts of handshake_burst); beyond: 429 with
  // Retry-After. 0: no limit.
  double handshake_rate = 100;
  double handshake_burst = 1000;
  // Called when a session is closed for having more than max_send_queue bytes waiting (to log it).
  std::function<void(const session& s, std::size_t queued_bytes)> on_slow_consumer;
};

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;
// Answers a request outside `path`; std::nullopt gives 404.
using route_handler = std::function<std::optional<http_response>(const http_request&)>;

struct server_stats {
  std::size_t open_sessions = 0;
  std::size_t websocket_sessions = 0;
  std::size_t polling_sessions = 0;
  std::uint64_t handshakes_total = 0;
  std::uint64_t upgrades_total = 0;
  std::uint64_t packets_sent_total = 0;
  std::uint64_t bytes_sent_total = 0;
  std::uint64_t slow_consumers_closed_total = 0;  // sessions closed past max_send_queue
  // Handshakes refused past max_connections (503), and TCP connections closed at accept past twice that.
  std::uint64_t connections_refused_total = 0;
  std::uint64_t handshakes_rate_limited_total = 0;  // handshakes refused by the per-address rate (429)
};

class server {
 public:
  server(boost::asio::io_context& io, server_options options, handler& h, route_handler routes);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and starts accepting. Throws std::system_error naming the address when it cannot bind.
  void start();
  // The port actually bound (useful with port 0).
  std::uint16_t port() const noexcept;
  // Stops accepting and closes every session with `reason` (clients get the Engine.IO close packet, so they
  // reconnect to another node); calls `done` once all are closed or after `grace`.
  void shutdown(std::string_view reason, std::chrono::milliseconds grace, std::function<void()> done);

  server_stats stats() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sio::gateway::engineio
