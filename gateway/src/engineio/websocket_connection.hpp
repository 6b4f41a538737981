// One WebSocket (Beast) carrying an Engine.IO session, or probing to become its transport (PROTOCOL.md §7.5):
// a read loop that hands every message to its session, and a write queue (Beast allows one write at a time).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "engineio/header_filter_stream.hpp"
#include "engineio/outgoing_item.hpp"
#include "engineio/server.hpp"

namespace sio::gateway::engineio {

class engine_session;

class websocket_connection : public std::enable_shared_from_this<websocket_connection> {
 public:
  // How long close() waits for the queued messages and the closing handshake.
  static constexpr std::chrono::seconds close_timeout{10};

  websocket_connection(boost::asio::ip::tcp::socket socket, std::size_t max_message_size);
  websocket_connection(const websocket_connection&) = delete;
  websocket_connection& operator=(const websocket_connection&) = delete;

  // Completes the WebSocket handshake for `req` (an upgrade request); `done(true)` once it is accepted.
  void accept(http_request req, std::function<void(bool accepted)> done);

  // Messages and the end of the connection go to `owner` from now on (engine_session::on_ws_message/closed).
  void attach(std::weak_ptr<engine_session> owner);
  void start_reading();
  // The largest message read from now on (a larger one fails the connection, as ws' maxPayload: 1009).
  void max_message(std::size_t bytes) { ws_.read_message_max(bytes); }

  // Queues one message: a text frame, or a binary frame for an attachment.
  void send(outgoing_item item);
  // No write in flight and nothing queued.
  bool idle() const noexcept { return !writing_ && queue_.empty(); }
  // Bytes queued and not yet written (the message being written included).
  std::size_t queued_bytes() const noexcept { return queued_bytes_; }

  // Writes what is queued, then the WebSocket close frame; the session is detached (no more callbacks). A peer
  // that does not read what is queued within close_timeout is cut off (abort).
  void close();
  // Closes the socket now, without the closing handshake (the server is going away).
  void abort();

  // The connection is over (closed by either side, or failed); `hook` is called when that happens.
  bool finished() const noexcept { return finished_; }
  void on_finished_hook(std::function<void()> hook) { finished_hook_ = std::move(hook); }

 private:
  void on_read(boost::beast::error_code ec);
  void write_next();
  void finish(std::string_view reason);
  void start_close();

  boost::beast::websocket::stream<header_filter_stream> ws_;  // its handshake response without a Server header
  boost::beast::flat_buffer read_buffer_;
  outgoing_queue queue_;
  outgoing_item writing_item_;  // the message being written: out of queue_, whose items move when it grows
  std::size_t queued_bytes_ = 0;
  boost::asio::steady_timer close_timer_;
  boost::asio::steady_timer resume_timer_;  // reading paused by the client's inbound rate
  http_request upgrade_request_;  // alive during the handshake
  std::weak_ptr<engine_session> owner_;
  std::function<void()> finished_hook_;
  bool writing_ = false;
  bool closing_ = false;       // close() called: close frame after the queue
  bool close_started_ = false;
  bool finished_ = false;      // the connection is over (read error or close)
};

}  // namespace sio::gateway::engineio
