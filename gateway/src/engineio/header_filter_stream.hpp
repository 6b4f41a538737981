// The next layer of the gateway's WebSocket streams: the TCP socket, sending the WebSocket handshake response
// without the Server header Beast puts in it. (A plain socket, not a beast::tcp_stream: the WebSocket has timers of its
// own and the Engine.IO heartbeat, so the tcp_stream's would be half a KiB of unused state per connection.)
//
// Node (ws, engine.io) names no server software, and neither does the gateway. Beast 1.74's accept runs the
// response decorator and then adds "Server: Boost.Beast/<version>" when the field is absent, so erasing it in a
// decorator has no effect, and no option or overload lets the caller write the response itself. This stream takes
// the bytes of the one header it is told to filter (drop_server_field_of_next_header, before async_accept), removes
// the Server line from it and writes the rest, reporting every byte Beast handed over as written. Everything else,
// reads always and writes once that header is out, goes straight to the socket: no copy, one flag tested.
//
// Asynchronous operations only (the gateway uses no others): a synchronous accept or close does not compile.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace sio::gateway::engineio {

class header_filter_stream {
 public:
  using next_layer_type = boost::asio::ip::tcp::socket;
  using executor_type = next_layer_type::executor_type;

  explicit header_filter_stream(next_layer_type next) : next_{std::move(next)} {}
  // Its operations in flight point to it: not copied, not moved.
  header_filter_stream(const header_filter_stream&) = delete;
  header_filter_stream& operator=(const header_filter_stream&) = delete;

  // The next HTTP header written through this stream, and only it, goes out without its Server field(s).
  void drop_server_field_of_next_header() {
    filtering_ = true;
    header_.clear();
  }

  // beast::get_lowest_layer (the websocket stream's timeouts close the socket through it) reaches the socket.
  next_layer_type& next_layer() noexcept { return next_; }
  const next_layer_type& next_layer() const noexcept { return next_; }
  executor_type get_executor() noexcept { return next_.get_executor(); }

  template <class MutableBufferSequence, class ReadHandler>
  BOOST_ASIO_INITFN_RESULT_TYPE(ReadHandler, void(boost::beast::error_code, std::size_t))
  async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return next_.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }

  template <class ConstBufferSequence, class WriteHandler>
  BOOST_ASIO_INITFN_RESULT_TYPE(WriteHandler, void(boost::beast::error_code, std::size_t))
  async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::beast::error_code, std::size_t)>(
        initiate_write{this}, handler, buffers);
  }

 private:
  struct initiate_write {
    header_filter_stream* self;

    template <class Handler, class ConstBufferSequence>
    void operator()(Handler&& handler, const ConstBufferSequence& buffers) const {
      if (!self->filtering_) {
        self->next_.async_write_some(buffers, std::forward<Handler>(handler));
        return;
      }
      const std::size_t taken = self->take(buffers);
      boost::asio::async_compose<Handler, void(boost::beast::error_code, std::size_t)>(
          filtered_write{self, taken}, handler, self->next_);
    }
  };

  // Completes a write whose bytes take() kept: writes the filtered header once it is complete.
  struct filtered_write {
    header_filter_stream* self;
    std::size_t taken;  // reported as written: what Beast handed over
    bool started = false;

    template <class Self>
    void operator()(Self& op, boost::beast::error_code ec = {}, std::size_t = 0) {
      if (!started) {
        started = true;
        if (self->filtering_) {
          // The header's end is still to come: nothing to send yet (never the case with Beast's serializer,
          // which hands over the whole header at once). Completes as an asynchronous operation must, not inline.
          boost::asio::post(self->next_.get_executor(), std::move(op));
          return;
        }
        boost::asio::async_write(self->next_, boost::asio::buffer(self->header_), std::move(op));
        return;
      }
      if (!self->filtering_) self->header_ = std::string{};  // written (or failed): not kept for the connection
      op.complete(ec, ec ? 0 : taken);
    }
  };

  // Appends `buffers` to the header held back; once its end is there, removes the Server lines and stops
  // filtering. Returns the bytes taken.
  template <class ConstBufferSequence>
  std::size_t take(const ConstBufferSequence& buffers) {
    const std::size_t n = boost::beast::buffer_bytes(buffers);
    const std::size_t old = header_.size();
    header_.resize(old + n);
    boost::asio::buffer_copy(boost::asio::buffer(header_.data() + old, n), buffers);
    const std::size_t end = header_.find("\r\n\r\n");
    if (end == std::string::npos) return n;
    // [0, end + 2): the status line, then one "Name: value\r\n" per field.
    std::size_t line = header_.find("\r\n") + 2;
    std::size_t fields_end = end + 2;
    while (line < fields_end) {
      const std::size_t next = header_.find("\r\n", line) + 2;
      const boost::beast::string_view start{header_.data() + line, std::min<std::size_t>(next - line, 7)};
      if (boost::beast::iequals(start, "server:")) {
        header_.erase(line, next - line);
        fields_end -= next - line;
      } else {
        line = next;
      }
    }
    filtering_ = false;
    return n;
  }

  next_layer_type next_;
  std::string header_;  // the header being filtered, held until its end arrives
  bool filtering_ = false;
};

// The teardown Beast's websocket::stream needs for a next layer of its own type: the socket's.
inline void teardown(boost::beast::role_type role, header_filter_stream& stream, boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, header_filter_stream& stream, TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace sio::gateway::engineio
