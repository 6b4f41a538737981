#include "engineio/websocket_connection.hpp"

#include <chrono>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "engineio/engine_session.hpp"

namespace sio::gateway::engineio {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

// Read buffers larger than this are given back to the allocator after their message was handled.
constexpr std::size_t kept_read_buffer = 16 * 1024;

}  // namespace

websocket_connection::websocket_connection(boost::asio::ip::tcp::socket socket, std::size_t max_message_size)
    : ws_{std::move(socket)}, close_timer_{ws_.get_executor()}, resume_timer_{ws_.get_executor()} {
  // No idle timeout or keep-alive pings of Beast's: the Engine.IO heartbeat decides when a peer is gone. The
  // handshake timeout also bounds the closing handshake.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds{10};
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.read_message_max(max_message_size);  // larger messages fail the connection (ws' maxPayload: 1009)
  ws_.auto_fragment(false);
}

void websocket_connection::accept(http_request req, std::function<void(bool)> done) {
  upgrade_request_ = std::move(req);
  // Beast adds "Server: Boost.Beast/..." to its response whatever a decorator does; Node sends none.
  ws_.next_layer().drop_server_field_of_next_header();
  ws_.async_accept(upgrade_request_, [self = shared_from_this(), done = std::move(done)](beast::error_code ec) {
    self->upgrade_request_ = {};
    if (ec) self->finished_ = true;
    done(!ec);
  });
}

void websocket_connection::attach(std::weak_ptr<engine_session> owner) { owner_ = std::move(owner); }

void websocket_connection::start_reading() {
  if (finished_) return;
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void websocket_connection::on_read(beast::error_code ec) {
  if (ec) {
    // A close frame or EOF from the peer is a transport close; anything else (an oversized or malformed frame)
    // a transport error, as ws reports it to engine.io.
    const bool clean = ec == websocket::error::closed || ec == beast::error::timeout ||
                       ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
                       ec == boost::asio::error::operation_aborted;
    finish(clean ? "transport close" : "transport error");
    return;
  }
  const auto data = read_buffer_.cdata();
  const std::string_view message{static_cast<const char*>(data.data()), data.size()};
  const bool binary = ws_.got_binary();
  auto pause = std::chrono::steady_clock::duration::zero();
  if (const auto owner = owner_.lock()) {
    owner->on_ws_message(*this, message, binary);
    pause = owner->inbound(message.size());
  }
  read_buffer_.consume(read_buffer_.size());
  // One large message must not leave its buffer behind on an idle connection.
  if (read_buffer_.capacity() > kept_read_buffer) read_buffer_.shrink_to_fit();
  if (finished_) return;
  if (pause == std::chrono::steady_clock::duration::zero()) {
    start_reading();
    return;
  }
  // Past the client's inbound rate: nothing more is read from it (TCP pushes back) until the rate allows.
  resume_timer_.expires_after(pause);
  resume_timer_.async_wait([weak = weak_from_this()](beast::error_code wait_ec) {
    const auto self = weak.lock();
    if (!wait_ec && self && !self->finished_) self->start_reading();
  });
}

void websocket_connection::send(outgoing_item item) {
  if (finished_ || closing_) return;
  queued_bytes_ += item.bytes().size();
  queue_.push_back(std::move(item));
  if (!writing_) write_next();
}

void websocket_connection::write_next() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) start_close();
    return;
  }
  writing_ = true;
  writing_item_ = std::move(queue_.front());
  queue_.pop_front();
  ws_.binary(writing_item_.binary());
  const std::string_view bytes = writing_item_.bytes();
  ws_.async_write(boost::asio::buffer(bytes.data(), bytes.size()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    // abort() keeps the message being written (its bytes are in use until now) and drops the rest.
                    self->queued_bytes_ -= self->writing_item_.bytes().size();
                    self->writing_item_ = outgoing_item{};
                    if (ec) {
                      self->writing_ = false;
                      self->queue_.clear();
                      self->queued_bytes_ = 0;
                      self->finish("transport error");
                      return;
                    }
                    self->write_next();
                  });
}

void websocket_connection::close() {
  owner_.reset();
  if (finished_ || closing_) return;
  closing_ = true;
  // A peer that stopped reading would hold the write in flight, and this connection, forever.
  close_timer_.expires_after(close_timeout);
  close_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (ec) return;
    if (const auto self = weak.lock()) self->abort();
  });
  if (!writing_) start_close();
}

void websocket_connection::abort() {
  owner_.reset();
  if (finished_) return;
  finished_ = true;
  close_timer_.cancel();
  resume_timer_.cancel();
  // The message being written (writing_item_) stays until its write completes (cancelled by the close below).
  while (!queue_.empty()) {
    queued_bytes_ -= queue_.back().bytes().size();
    queue_.pop_back();
  }
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close(ignored);
  if (const auto hook = std::move(finished_hook_)) hook();
}

void websocket_connection::start_close() {
  if (close_started_ || finished_) return;
  close_started_ = true;
  ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
    // Done once the peer's close frame came back (or the handshake timed out); a read loop ends with it too.
    self->finish("transport close");
  });
}

void websocket_connection::finish(std::string_view reason) {
  if (finished_) return;
  finished_ = true;
  close_timer_.cancel();
  resume_timer_.cancel();
  const auto owner = owner_.lock();
  owner_.reset();
  if (owner) owner->on_ws_closed(*this, reason);
  if (!close_started_) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close(ignored);
  }
  if (const auto hook = std::move(finished_hook_)) hook();
}

}  // namespace sio::gateway::engineio
