#include "engineio/http_connection.hpp"

#include <cstdint>
#include <limits>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "engineio/engine_core.hpp"

namespace sio::gateway::engineio {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// Bytes of a following request kept while a long-poll is held (HTTP pipelining); reading pauses beyond that.
constexpr std::size_t max_pipelined_bytes = 64 * 1024;

}  // namespace

http_connection::http_connection(asio::ip::tcp::socket socket, std::string remote_address,
                                 std::weak_ptr<engine_core> core, pending_connections::slot pending,
                                 std::chrono::milliseconds request_timeout)
    : stream_{std::move(socket)},
      timer_{stream_.get_executor()},
      core_{std::move(core)},
      remote_address_{std::move(remote_address)},
      client_address_{remote_address_},
      pending_{std::move(pending)},
      request_timeout_{request_timeout} {}

void http_connection::start() { read_next(); }

void http_connection::read_next() {
  if (closed_) return;
  request_reservation_.release();
  client_address_ = remote_address_;
  if (buffer_.size() > 0) {
    start_request();  // a pipelined request is already here
  } else {
    wait_for_request();
  }
}

// Idle between requests: nothing is buffered (no read in flight) until a byte arrives. A new connection gets the
// request timeout for its first request, as Node's headersTimeout counts from the connection's start.
void http_connection::wait_for_request() {
  waiting_ = true;
  idle_timed_out_ = false;
  timer_.expires_after(first_request_ ? request_timeout_ : std::chrono::milliseconds{idle_timeout});
  timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    const auto self = weak.lock();
    if (ec || !self || self->closed_ || !self->waiting_) return;
    self->idle_timed_out_ = true;
    self->stream_.socket().cancel();
  });
  stream_.socket().async_wait(asio::socket_base::wait_read, [self = shared_from_this()](beast::error_code ec) {
    self->waiting_ = false;
    self->timer_.cancel();
    if (self->closed_) return;
    if (ec || self->idle_timed_out_) {
      self->close();
      return;
    }
    self->start_request();
  });
}

// The first byte of a request is here: it takes its allowance from the pre-authentication budget (a peer that
// cannot have one is closed: the budget is exhausted by others) and gets request_timeout for its header.
void http_connection::start_request() {
  const auto core = core_.lock();
  if (!core) {
    close();
    return;
  }
  request_reservation_ = core->preauth().reserve(request_allowance);
  if (!request_reservation_.held()) {
    ++core->stats().preauth_refused_total;
    close();
    return;
  }
  first_request_ = false;
  parser_.emplace();
  parser_->header_limit(header_limit);
  // The limit depends on the target: read_body sets it. (Not boost::none: Beast 1.74 compares a Content-Length
  // against an empty optional as "greater" and fails every request with a body.)
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  stream_.expires_after(request_timeout_);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void http_connection::on_header(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    close();  // EOF, the request timeout (slow headers), or a malformed request
    return;
  }
  stream_.expires_never();
  const auto core = core_.lock();
  if (!core) {
    close();
    return;
  }
  client_address_ = core->proxies().client_address(remote_address_, parser_->get());
  core->on_request(shared_from_this());
}

void http_connection::read_body(std::size_t limit, std::function<void(body_result)> done) {
  if (closed_) return;
  if (parser_->is_done()) {
    done(body_result::complete);
    return;
  }
  if (const auto length = parser_->content_length(); length && *length > limit) {
    done(body_result::too_large);
    return;
  }
  parser_->body_limit(limit);
  body_timed_out_ = false;
  timer_.expires_after(request_timeout_);
  timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    const auto self = weak.lock();
    if (ec || !self || self->closed_) return;
    self->body_timed_out_ = true;
    self->stream_.cancel();
  });
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this(), done = std::move(done)](beast::error_code ec, std::size_t) {
                     self->timer_.cancel();
                     if (self->closed_) return;
                     if (self->body_timed_out_) {
                       done(body_result::timed_out);
                     } else if (ec == http::error::body_limit) {
                       done(body_result::too_large);
                     } else if (ec) {
                       self->close();
                       done(body_result::failed);
                     } else {
                       done(body_result::complete);
                     }
                   });
}

void http_connection::respond(http_response res, bool close_after) {
  if (closed_) return;
  request_reservation_.release();
  held_ = false;
  on_client_gone_ = nullptr;
  close_after_ = close_after || !res.keep_alive() || !parser_ || !parser_->is_done();
  if (close_after_) res.keep_alive(false);
  response_ = std::make_shared<http_response>(std::move(res));
  http::async_write(stream_, *response_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
}

void http_connection::on_written(beast::error_code ec) {
  response_.reset();
  if (written_hook_) written_hook_();
  if (closed_) return;
  if (ec) {
    close();
  } else if (close_after_) {
    linger_close();
  } else if (watching_) {
    // The watch read is still pending: cancel it and parse the next request once it has returned.
    resume_after_watch_ = true;
    stream_.cancel();
  } else {
    read_next();
  }
}

void http_connection::hold(std::function<void()> on_client_gone) {
  if (closed_) return;
  held_ = true;
  on_client_gone_ = std::move(on_client_gone);
  if (!watching_) watch();
}

void http_connection::watch() {
  if (buffer_.size() >= max_pipelined_bytes) return;
  watching_ = true;
  stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_watch(ec, n);
  });
}

void http_connection::on_watch(beast::error_code ec, std::size_t n) {
  watching_ = false;
  if (closed_) return;
  if (lingering_) {
    stream_.expires_after(std::chrono::seconds{2});
    drain();
    return;
  }
  if (!ec) buffer_.commit(n);
  const bool resume = std::exchange(resume_after_watch_, false);
  if (ec && !(ec == asio::error::operation_aborted && resume)) {
    // The client went away while its long-poll was held (Node: "poll connection closed prematurely").
    auto gone = held_ ? std::move(on_client_gone_) : std::function<void()>{};
    close();
    if (gone) gone();
    return;
  }
  if (held_) {
    watch();
  } else if (resume) {
    read_next();
  }
  // Otherwise the answer is being written: on_written goes on with the next request.
}

beast::tcp_stream http_connection::release_stream() {
  closed_ = true;
  timer_.cancel();
  return std::move(stream_);
}

void http_connection::close() {
  if (closed_) return;
  closed_ = true;
  held_ = false;
  on_client_gone_ = nullptr;
  request_reservation_.release();
  timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

// Closes after the answer without resetting the connection: the client may still be sending a body we refused
// (413), and closing with unread data would reset the connection before it reads our answer.
void http_connection::linger_close() {
  lingering_ = true;
  // Answered and closing (within 2 s): no longer one of its address' pending connections, or a burst of refused
  // handshakes would keep the address' next connections out while they drain.
  pending_.release();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  if (watching_) {
    stream_.cancel();  // on_watch goes on draining, with a timeout
    return;
  }
  stream_.expires_after(std::chrono::seconds{2});
  drain();
}

void http_connection::drain() {
  stream_.async_read_some(asio::buffer(drain_buffer_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec || self->closed_) {
                              self->close();
                              return;
                            }
                            self->drain();
                          });
}

}  // namespace sio::gateway::engineio
