// One accepted TCP connection speaking HTTP/1.1 (keep-alive): reads a request header, lets the engine decide what
// to do with it (answer, read the body first, hold it as a long-poll, or take the socket for a WebSocket), writes
// the answer and reads the next request.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "engineio/admission.hpp"
#include "engineio/server.hpp"

namespace sio::gateway::engineio {

class engine_core;

enum class body_result { complete, too_large, timed_out, failed };

class http_connection : public std::enable_shared_from_this<http_connection> {
 public:
  // Idle keep-alive connections (no byte of a next request) are dropped after this.
  static constexpr std::chrono::seconds idle_timeout{60};
  static constexpr std::size_t header_limit = 16 * 1024;  // Node's maxHeaderSize
  // Bodies of requests outside the Engine.IO path (health, metrics, the demo page) are small.
  static constexpr std::size_t route_body_limit = 16 * 1024;
  // What one request may make the server buffer before it is known to belong to a session: its header, or a
  // route's body. Taken from the pre-authentication budget from the request's first byte until it is answered.
  static constexpr std::size_t request_allowance = header_limit + route_body_limit;

  // `remote_address`: the peer's IP address. `pending` is this connection's slot among its address' connections without a session (empty for a trusted
  // proxy's). `request_timeout` bounds the arrival of a request's header from its first byte (and from the
  // connection's start for the first request), and then of its body.
  http_connection(boost::asio::ip::tcp::socket socket, std::string remote_address, std::weak_ptr<engine_core> core,
                  pending_connections::slot pending, std::chrono::milliseconds request_timeout);
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;

  void start();

  // The current request: its header once the engine is called, its body after read_body.
  const http_request& request() const { return parser_->get(); }
  const std::string& remote_address() const noexcept { return remote_address_; }
  // The client address: remote_address(), or the one a trusted proxy forwards for the current request.
  const std::string& client_address() const noexcept { return client_address_; }
  void set_client_address(std::string address) { client_address_ = std::move(address); }

  // The request's header (and a route's body) is read: its allowance goes back to the pre-authentication budget.
  void request_read() { request_reservation_.release(); }
  // The connection carries a request of an existing session: the session counts for its address now.
  void established() { pending_.release(); }
  // The connection opens a new session, which takes over its place among its address' pending connections.
  pending_connections::slot take_pending() { return std::move(pending_); }

  // Reads the request body, at most `limit` bytes; `done` may run before read_body returns.
  void read_body(std::size_t limit, std::function<void(body_result)> done);

  // Writes `res`, then reads the next request (keep-alive), or closes the connection when asked, when the
  // request or the response says so, or when the request body was not read.
  void respond(http_response res, bool close_after = false);

  // Keeps the request open without an answer (a long-poll GET) and watches the socket: `on_client_gone` runs if the
  // client disconnects before respond() is called.
  void hold(std::function<void()> on_client_gone);

  // Hands the socket over (WebSocket upgrade); this connection is finished.
  boost::beast::tcp_stream release_stream();

  // Closes the socket now; nothing more is called.
  void close();

  // An answer is being written (shutdown waits for those, so that clients get their close packet).
  bool writing() const noexcept { return response_ != nullptr; }
  // Called after each answer is written.
  void on_written_hook(std::function<void()> hook) { written_hook_ = std::move(hook); }

 private:
  void read_next();
  void wait_for_request();
  void start_request();
  void on_header(boost::beast::error_code ec);
  void on_written(boost::beast::error_code ec);
  void watch();
  void on_watch(boost::beast::error_code ec, std::size_t n);
  void linger_close();
  void drain();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<http_response> response_;  // alive while it is written
  boost::asio::steady_timer timer_;  // the idle wait, then the body's deadline
  std::weak_ptr<engine_core> core_;
  std::string remote_address_;
  std::string client_address_;
  pending_connections::slot pending_;
  preauth_budget::reservation request_reservation_;  // held from a request's first byte until it is answered
  std::chrono::milliseconds request_timeout_;
  bool first_request_ = true;
  bool waiting_ = false;  // waiting for the first byte of a request
  std::function<void()> on_client_gone_;
  std::function<void()> written_hook_;
  bool closed_ = false;
  bool close_after_ = false;
  bool held_ = false;
  bool watching_ = false;         // a read is pending to notice a disconnect (or pipelined bytes) while held
  bool resume_after_watch_ = false;
  bool body_timed_out_ = false;
  bool idle_timed_out_ = false;
  bool lingering_ = false;        // answered with "Connection: close": reading what is left until EOF
  char drain_buffer_[512];
};

}  // namespace sio::gateway::engineio
