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
#include <boost/system/error_code.hpp>
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
  // The largest message (or polling body) a session may send before one of its sockets joined a namespace: a
  // CONNECT with its auth payload. Raised to max_payload once the handler calls session::authenticated().
  std::size_t max_connect_payload = 16 * 1024;
  // Bytes that clients not authenticated yet may make the server buffer, all together: each session reserves
  // max_connect_payload until it is authenticated (up to 3/4 of the budget; handshakes beyond get 503), each
  // request being received its header allowance from its first byte until its header is read (a connection that
  // cannot have it is closed). 0: unbounded.
  std::size_t preauth_memory = 128 * 1024 * 1024;
  // A request's header must arrive within this from its first byte (a new connection's first request: from the
  // connection's start), and its body within this again. Separate from the Engine.IO session timeouts.
  std::chrono::milliseconds request_timeout{10000};
  // Bytes per second one session's client may send (with bursts of twice max_payload): beyond, the server stops
  // reading it (WebSocket) or answers its POST late (polling) until the rate allows, so that one client cannot
  // keep the I/O thread from the others. 0: no limit.
  std::size_t max_inbound_rate = 1000000;
  // TCP connections one address may hold whose client has not finished its handshake (idle, sending a request,
  // or an Engine.IO session whose client has not been authenticated yet); beyond, new ones are closed at accept.
  // Trusted proxies are exempt. 0: no limit (the default: behind a load balancer or a NAT every client has one
  // address).
  std::size_t max_pending_per_address = 0;
  // --trust-proxy: addresses or CIDR ranges of load balancers whose Forwarded / X-Forwarded-For is believed
  // (see trusted_proxies.hpp).
  std::vector<std::string> trusted_proxies;
  // Origins allowed by CORS on polling requests ("*" allows any); empty: no CORS headers (Node's default).
  std::vector<std::string> cors_origins;
  bool cors_credentials = false;
  // Bytes a session may have waiting to be written before it is closed as a slow consumer; 0: unbounded.
  std::size_t max_send_queue = 1024 * 1024;
  // Engine.IO sessions open at once (WebSocket handshakes in progress count too); a handshake beyond gets 503.
  // TCP connections are capped at max_sockets (closed at accept beyond). 0: unlimited.
  std::size_t max_connections = 10000;
  // TCP connections open at once; 0: default_max_sockets(max_connections). The gateway lowers it to what its
  // descriptor limit can hold.
  std::size_t max_sockets = 0;
  // Handshakes per second per remote address (token bucket with bursts of handshake_burst); beyond: 429 with
  // Retry-After. 0: no limit (the default, as max_pending_per_address).
  double handshake_rate = 0;
  double handshake_burst = 1000;
  // Called when a session is closed for having more than max_send_queue bytes waiting (to log it).
  std::function<void(const session& s, std::size_t queued_bytes)> on_slow_consumer;
  // Called when accept() fails (out of descriptors: EMFILE, ENFILE; out of memory), before accepting pauses.
  std::function<void(const boost::system::error_code& ec)> on_accept_error;
  // false: no Engine.IO; every request goes to the routes (the --admin-listen server of /healthz and /metrics).
  bool serve_engine = true;
};

// TCP connections open at once when server_options::max_sockets is 0: twice max_connections (a polling client may
// hold two) plus room for handshakes in progress; 0 (no limit) when max_connections is.
inline std::size_t default_max_sockets(std::size_t max_connections) noexcept {
  return max_connections == 0 ? 0 : 2 * max_connections + 100;
}

// The largest message a session may send before it is authenticated.
inline std::size_t preauth_message_limit(const server_options& o) noexcept {
  return o.max_connect_payload < o.max_payload ? o.max_connect_payload : o.max_payload;
}

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
  // TCP connections closed at accept: their address had max_pending_per_address connections without a session.
  std::uint64_t pending_refused_total = 0;
  // Refused for want of pre-authentication budget: handshakes (503) and requests (connection closed).
  std::uint64_t preauth_refused_total = 0;
  std::size_t preauth_bytes = 0;  // reserved from the pre-authentication budget now
  std::uint64_t accept_errors_total = 0;  // accept() failures (EMFILE...)
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
