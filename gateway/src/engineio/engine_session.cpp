#include "engineio/engine_session.hpp"

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include "engineio/engine_core.hpp"
#include "engineio/http_connection.hpp"
#include "engineio/open_packet.hpp"
#include "engineio/websocket_connection.hpp"

namespace sio::gateway::engineio {

namespace http = boost::beast::http;

namespace {

// While an upgrade is probed, a held long-poll is answered with a noop this often so that the client, which pauses
// polling before it sends "5", gets its GET back (engine.io's 100 ms check interval).
constexpr std::chrono::milliseconds noop_check_interval{100};

token_bucket_limits inbound_limits(const server_options& o) {
  return {static_cast<double>(o.max_inbound_rate),
          std::max(static_cast<double>(o.max_inbound_rate), 2.0 * static_cast<double>(o.max_payload))};
}

}  // namespace

engine_session::engine_session(engine_core& core, std::string id, handshake_info handshake, bool binary_as_base64,
                               preauth_hold hold)
    : core_{core},
      id_{std::move(id)},
      handshake_{std::move(handshake)},
      binary_as_base64_{binary_as_base64},
      preauth_{std::move(hold)},
      inbound_{inbound_limits(core.options()), token_bucket::clock::now()},
      ping_timer_{core.io()},
      pong_timer_{core.io()},
      upgrade_timer_{core.io()},
      noop_timer_{core.io()},
      close_timer_{core.io()},
      inbound_timer_{core.io()} {}

engine_session::~engine_session() = default;

// ---- handshake ----

void engine_session::open_over_polling(const std::shared_ptr<http_connection>& get) {
  const auto& o = core_.options();
  buffer(outgoing_item::control(open_packet({id_, true, o.ping_interval, o.ping_timeout, o.max_payload})));
  pending_get_ = get;
  flush();
  schedule_ping();
  core_.events().on_open(shared_from_this());
}

void engine_session::open_over_websocket(const std::shared_ptr<websocket_connection>& ws) {
  const auto& o = core_.options();
  ws_ = ws;
  websocket_ = true;
  ws->attach(weak_from_this());
  queue_control(open_packet({id_, false, o.ping_interval, o.ping_timeout, o.max_payload}));
  ws->start_reading();
  schedule_ping();
  core_.events().on_open(shared_from_this());
}

void engine_session::authenticated() {
  if (authenticated_) return;
  authenticated_ = true;
  preauth_.release();
  if (ws_) ws_->max_message(max_message());
  if (probe_) probe_->max_message(max_message());
}

token_bucket::clock::duration engine_session::inbound(std::size_t bytes) {
  const auto& o = core_.options();
  if (o.max_inbound_rate == 0) return token_bucket::clock::duration::zero();
  return inbound_.take(inbound_limits(o), token_bucket::clock::now(), static_cast<double>(bytes));
}

std::size_t engine_session::max_message() const noexcept {
  const auto& o = core_.options();
  return authenticated_ ? o.max_payload : preauth_message_limit(o);
}

// ---- writing ----

void engine_session::send(std::shared_ptr<const outgoing_packet> packet, [[maybe_unused]] bool compress) {
  // No HTTP or permessage-deflate compression: engine.io's WebSocket default is off too.
  if (state_ != state::open || !packet) return;
  const std::size_t attachments = packet->attachments.size();
  std::size_t incoming = packet->text.size();
  for (const auto& attachment : packet->attachments) incoming += attachment.size();
  if (const std::size_t queued = queued_bytes(); core_.send_queue().overflows(queued, incoming)) {
    close_slow_consumer(queued);
    return;
  }
  // An empty text is no Engine.IO packet (it always starts with "4"): such a packet is its attachments alone,
  // binary messages without a text message before them.
  if (!packet->text.empty()) buffer(outgoing_item{packet, outgoing_item::text_part, {}});
  for (std::size_t i = 0; i < attachments; ++i) buffer(outgoing_item{packet, i, {}});
  flush();
}

bool engine_session::writable() const noexcept {
  if (state_ != state::open) return false;
  return websocket_ ? ws_ && ws_->idle() : pending_get_ != nullptr;
}

void engine_session::buffer(outgoing_item item) {
  buffered_bytes_ += item.bytes().size();
  buffer_.push_back(std::move(item));
}

void engine_session::queue_control(std::string text) {
  buffer(outgoing_item::control(std::move(text)));
  flush();
}

std::size_t engine_session::queued_bytes() const noexcept {
  return buffered_bytes_ + (websocket_ && ws_ ? ws_->queued_bytes() : 0);
}

// The client does not read what it is sent: it is cut off at once (a close packet would wait behind the rest),
// and the handler hears of it after its current call returns (it is writing to its sockets).
void engine_session::close_slow_consumer(std::size_t queued) {
  const auto self = shared_from_this();
  ++core_.stats().slow_consumers_closed_total;
  if (const auto& hook = core_.options().on_slow_consumer) hook(*this, queued);
  if (ws_) ws_->abort();
  boost::asio::post(core_.io(), [core = std::weak_ptr<engine_core>{core_.weak_from_this()}, self] {
    if (const auto c = core.lock()) c->events().on_close(self, "transport error");
  });
  finalize();
}

void engine_session::flush() {
  if (state_ == state::closed || buffer_.empty()) return;
  if (websocket_) {
    std::size_t packets = 0;
    std::size_t bytes = 0;
    while (!buffer_.empty()) {
      outgoing_item item = std::move(buffer_.front());
      buffer_.pop_front();
      if (item.binary() && binary_as_base64_) item = outgoing_item::control(binary_as_text(item.bytes()));
      ++packets;
      bytes += item.bytes().size();
      ws_->send(std::move(item));
    }
    buffered_bytes_ = 0;
    count_sent(packets, bytes);
  } else if (pending_get_) {
    answer_poll();
  }
}

// Answers the held long-poll with every buffered packet.
void engine_session::answer_poll() {
  std::string body;
  for (const outgoing_item& item : buffer_) {
    if (item.binary()) {
      append_binary_to_payload(body, item.bytes());
    } else {
      append_text_to_payload(body, item.bytes());
    }
  }
  count_sent(buffer_.size(), body.size());
  buffer_.clear();
  buffered_bytes_ = 0;
  const auto get = std::move(pending_get_);
  get->respond(core_.polling_response(get->request(), std::move(body)));
  // A session closed by the server waits for this answer: the close packet was the last one in it.
  if (state_ == state::closing) finalize();
}

void engine_session::answer_poll_with(std::string_view control) {
  if (!pending_get_) return;
  count_sent(1, control.size());
  const auto get = std::move(pending_get_);
  get->respond(core_.polling_response(get->request(), std::string{control}));
}

void engine_session::count_sent(std::size_t packets, std::size_t bytes) {
  auto& stats = core_.stats();
  stats.packets_sent_total += packets;
  stats.bytes_sent_total += bytes;
}

// ---- polling requests ----

void engine_session::on_poll(const std::shared_ptr<http_connection>& get) {
  if (state_ == state::closed) {
    get->respond(core_.empty_response(get->request(), http::status::bad_request));
    return;
  }
  if (pending_get_) {
    // One long-poll at a time (engine.io: "overlap from client"): the new one is refused, the session closed.
    get->respond(core_.empty_response(get->request(), http::status::bad_request));
    fail("transport error");
    return;
  }
  pending_get_ = get;
  flush();
  if (pending_get_ != get) return;  // answered at once
  get->hold([weak = weak_from_this(), raw = get.get()] {
    const auto self = weak.lock();
    if (!self || self->pending_get_.get() != raw) return;
    self->pending_get_.reset();
    self->fail("transport error");  // engine.io: "poll connection closed prematurely"
  });
}

void engine_session::on_post(const std::shared_ptr<http_connection>& post) {
  const http_request& req = post->request();
  if (state_ == state::closed) {
    post->respond(core_.empty_response(req, http::status::bad_request), true);
    return;
  }
  const auto content_type = req.find(http::field::content_type);
  if (content_type != req.end() && content_type->value() == "application/octet-stream") {
    // Engine.IO v4 posts text payloads only (engine.io: "invalid content").
    post->respond(core_.empty_response(req, http::status::bad_request), true);
    fail("transport error");
    return;
  }
  if (post_in_progress_) {
    // engine.io: "data request overlap from client".
    post->respond(core_.empty_response(req, http::status::bad_request), true);
    fail("transport error");
    return;
  }
  post_in_progress_ = true;
  post->read_body(max_message(), [weak = weak_from_this(), post](body_result result) {
    const auto self = weak.lock();
    if (!self || self->state_ == state::closed) {
      if (self) self->post_in_progress_ = false;
      post->close();
      return;
    }
    self->post_in_progress_ = false;
    switch (result) {
      case body_result::too_large:
        post->respond(self->core_.empty_response(post->request(), http::status::payload_too_large), true);
        self->fail("transport error");  // engine.io: "payload too large"
        return;
      case body_result::timed_out:
        post->respond(self->core_.empty_response(post->request(), http::status::request_timeout), true);
        self->fail("transport error");  // engine.io: "http request timeout"
        return;
      case body_result::failed:
        self->fail("transport error");
        return;
      case body_result::complete:
        break;
    }
    // As engine.io: the packets first, then "ok" (also when they closed the session). A client past its inbound
    // rate gets its "ok" late: engine.io-client sends its next POST only after it.
    self->on_payload(post->request().body());
    const auto wait = self->inbound(post->request().body().size());
    if (wait == token_bucket::clock::duration::zero() || self->state_ != state::open) {
      post->respond(self->core_.ok_response(post->request()));
      return;
    }
    self->inbound_timer_.expires_after(wait);
    self->inbound_timer_.async_wait([weak, post](boost::system::error_code ec) {
      const auto again = weak.lock();
      if (ec || !again) {
        post->close();
        return;
      }
      post->respond(again->core_.ok_response(post->request()));
    });
  });
}

void engine_session::on_payload(std::string_view body) {
  std::size_t start = 0;
  while (state_ == state::open) {
    const std::size_t end = body.find(payload_separator, start);
    const std::string_view piece = body.substr(start, end == std::string_view::npos ? body.npos : end - start);
    on_text_packet(piece);
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

// ---- incoming packets ----

void engine_session::on_text_packet(std::string_view text) {
  const auto kind = packet_kind_of(text);
  if (!kind) {
    fail("parse error");  // engine.io-parser's error packet
  } else if (kind->base64) {
    on_packet(packet_type::message, base64_decode(text.substr(1)), true);
  } else {
    on_packet(kind->type, text.substr(1), false);  // the data is not copied on its way to the handler
  }
}

void engine_session::on_packet(packet_type type, std::string_view data, bool binary) {
  if (state_ != state::open) return;
  if (awaiting_pong_ && !pong_timer_refreshed_ && type != packet_type::pong) {
    // engine.io gives a busy client one more pingTimeout when anything else arrives while it waits for the pong.
    pong_timer_refreshed_ = true;
    start_pong_timer();
  }
  switch (type) {
    case packet_type::ping:
      fail("transport error");  // engine.io v4: "invalid heartbeat direction"
      return;
    case packet_type::pong:
      awaiting_pong_ = false;
      ++pong_generation_;
      pong_timer_.cancel();
      schedule_ping();
      return;
    case packet_type::message:
      core_.events().on_message(shared_from_this(), data, binary);
      return;
    case packet_type::close:
      // The client said goodbye; a held long-poll gets a noop, as engine.io answers it.
      fail("transport close", "6");
      return;
    case packet_type::open:
    case packet_type::upgrade:
    case packet_type::noop:
      return;
  }
}

void engine_session::on_ws_message(websocket_connection& ws, std::string_view data, bool binary) {
  if (state_ == state::closed) return;
  const auto self = shared_from_this();
  if (&ws == probe_.get()) {
    on_probe_message(data, binary);
  } else if (&ws == ws_.get()) {
    if (binary) {
      on_packet(packet_type::message, data, true);
    } else {
      on_text_packet(data);
    }
  }
}

void engine_session::on_ws_closed(websocket_connection& ws, std::string_view reason) {
  if (state_ == state::closed) return;
  const auto self = shared_from_this();
  if (&ws == probe_.get()) {
    end_upgrade(false);
  } else if (&ws == ws_.get()) {
    fail(reason);
  }
}

// ---- heartbeat ----

void engine_session::schedule_ping() {
  const std::uint64_t generation = ++ping_generation_;
  ping_timer_.expires_after(core_.options().ping_interval);
  ping_timer_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    if (ec) return;
    if (const auto self = weak.lock()) self->on_ping_due(generation);
  });
}

void engine_session::on_ping_due(std::uint64_t generation) {
  if (generation != ping_generation_ || state_ != state::open) return;
  pong_timer_refreshed_ = false;
  awaiting_pong_ = true;
  start_pong_timer();
  queue_control("2");
}

void engine_session::start_pong_timer() {
  const std::uint64_t generation = ++pong_generation_;
  pong_timer_.expires_after(core_.options().ping_timeout);
  pong_timer_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    if (ec) return;
    const auto self = weak.lock();
    if (!self || generation != self->pong_generation_ || self->state_ != state::open || !self->awaiting_pong_) return;
    self->fail("ping timeout");
  });
}

// ---- upgrade ----

void engine_session::on_probe(const std::shared_ptr<websocket_connection>& ws) {
  if (state_ != state::open || probe_ || websocket_) {
    ws->close();  // engine.io refuses a concurrent or repeated upgrade
    return;
  }
  probe_ = ws;
  ws->attach(weak_from_this());
  ws->max_message(max_message());
  ws->start_reading();
  const std::uint64_t generation = ++upgrade_generation_;
  upgrade_timer_.expires_after(core_.options().upgrade_timeout);
  upgrade_timer_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    if (ec) return;
    const auto self = weak.lock();
    if (self && generation == self->upgrade_generation_) self->end_upgrade(true);  // no "5" in time
  });
}

void engine_session::on_probe_message(std::string_view data, bool binary) {
  if (!binary && data == "2probe") {
    count_sent(1, 6);
    probe_->send(outgoing_item::control("3probe"));
    arm_noop_check();
  } else if (!binary && data == "5") {
    complete_upgrade();
  } else {
    end_upgrade(true);  // the first packets of a probe must be "2probe" then "5"
  }
}

void engine_session::arm_noop_check() {
  const std::uint64_t generation = upgrade_generation_;
  noop_timer_.expires_after(noop_check_interval);
  noop_timer_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    if (ec) return;
    const auto self = weak.lock();
    if (!self || generation != self->upgrade_generation_ || !self->probe_ || self->state_ != state::open) return;
    self->answer_poll_with("6");
    self->arm_noop_check();
  });
}

void engine_session::complete_upgrade() {
  ++upgrade_generation_;
  upgrade_timer_.cancel();
  noop_timer_.cancel();
  // The polling transport is closed, as engine.io closes it: a long-poll still held (a client that did not pause
  // polling first) gets the close packet.
  answer_poll_with("1");
  ws_ = std::move(probe_);
  websocket_ = true;
  core_.on_upgraded();
  flush();  // what was buffered for polling now leaves over the WebSocket
}

void engine_session::end_upgrade(bool close_probe) {
  ++upgrade_generation_;
  upgrade_timer_.cancel();
  noop_timer_.cancel();
  const auto probe = std::move(probe_);
  if (probe && close_probe) probe->close();
}

// ---- closing ----

void engine_session::close(std::string_view reason) {
  if (state_ != state::open) return;
  const auto self = shared_from_this();
  state_ = state::closing;
  ++ping_generation_;
  ++pong_generation_;
  ping_timer_.cancel();
  pong_timer_.cancel();
  end_upgrade(true);
  // The handler hears of it after its current call returns (it may be iterating its own sockets).
  boost::asio::post(core_.io(), [core = std::weak_ptr<engine_core>{core_.weak_from_this()}, self,
                                 reason = std::string{reason}] {
    if (const auto c = core.lock()) c->events().on_close(self, reason);
  });
  buffer(outgoing_item::control("1"));
  if (websocket_) {
    flush();
    ws_->close();
    finalize();
  } else if (pending_get_) {
    answer_poll();  // finalizes
  } else {
    close_timer_.expires_after(polling_close_timeout);
    close_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (const auto s = weak.lock()) s->finalize();
    });
  }
}

void engine_session::fail(std::string_view reason, std::string_view poll_answer) {
  if (state_ == state::closed) return;
  const auto self = shared_from_this();
  const bool tell_handler = state_ == state::open;
  answer_poll_with(poll_answer);
  finalize();
  if (tell_handler) core_.events().on_close(self, reason);
}

void engine_session::abort() {
  if (state_ == state::closed) return;
  const auto self = shared_from_this();
  if (pending_get_) std::exchange(pending_get_, nullptr)->close();
  if (ws_) ws_->abort();
  finalize();
}

void engine_session::finalize() {
  if (state_ == state::closed) return;
  const auto self = shared_from_this();
  state_ = state::closed;
  ++ping_generation_;
  ++pong_generation_;
  ping_timer_.cancel();
  pong_timer_.cancel();
  close_timer_.cancel();
  inbound_timer_.cancel();
  end_upgrade(true);
  if (pending_get_) std::exchange(pending_get_, nullptr)->close();
  if (ws_) std::exchange(ws_, nullptr)->close();
  buffer_.clear();
  buffered_bytes_ = 0;
  preauth_.release();
  core_.forget(*this);
}

}  // namespace sio::gateway::engineio
