#include "adapter/adapter_engine.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "adapter/redis_subscriber.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/classic_receive.hpp"
#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_pipeline.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/backoff.hpp"
#include "sio/error.hpp"

namespace sio::gateway::adapter {

// The classic adapter's receiving side lives in the protocol layer, with the emitter's encoders.
using sio::detail::all_rooms_response;
using sio::detail::broadcast_ack_response;
using sio::detail::broadcast_decoding;
using sio::detail::broadcast_outcome;
using sio::detail::client_count_response;
using sio::detail::decode_broadcast;
using sio::detail::decode_request;
using sio::detail::fetch_sockets_response;
using sio::detail::legacy_response;
using sio::detail::passes_room_prefilter;
using sio::detail::server_side_emit_ack_response;
using sio::detail::sockets_response;
using sio::detail::request_outcome;
using request = sio::detail::classic_request;
using request_type = sio::detail::classic_request_type;

std::string random_uid() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(alphabet) - 2);
  std::string uid;
  for (int i = 0; i < 6; ++i) uid += alphabet[pick(device)];
  return uid;
}

const std::string& process_uid() {
  static const std::string uid = random_uid();
  return uid;
}

namespace {

// How long the subscriber waits for a message before checking whether it should stop (the wake pipe usually
// ends the wait first).
constexpr std::chrono::milliseconds poll_interval{500};

enum class channel_kind { request, response };

// The response publisher's bounds (redis_pipeline). While Redis is away responses wait in a buffer: what is in
// flight when the link drops, and the broadcastWithAck acknowledgements clients keep sending for the requester's
// timeout (one response each: 10k clients acking one broadcast are 10k responses of ~100 bytes). 16Ki responses
// or 16 MiB hold that and a few large fetchSockets answers; beyond, the oldest go first (the closest to their
// requester's timeout). After 10 s unreachable (twice the Node adapter's default requestsTimeout) nobody waits for
// what is buffered any more: it fails and is reported, and the memory is freed.
constexpr std::size_t max_buffered_responses = 16 * 1024;
constexpr std::size_t max_buffered_response_bytes = 16u << 20;
constexpr std::chrono::milliseconds give_up_buffered_responses_after{10000};
// Connected, a caller (the I/O thread) beyond these waits for Redis to catch up: 8 MiB unsent or 16Ki responses
// unanswered is far beyond what a Redis that answers has outstanding, and one that stops answering is dropped
// after the command timeout (then the responses buffer as above), so the wait is bounded by that timeout.
constexpr std::size_t max_unsent_response_bytes = 8u << 20;
constexpr std::size_t max_unanswered_responses = 16 * 1024;
// One failing response is logged at once; further failures within this interval are only counted, and told with
// the next one logged after it (or at stop): a Redis outage with thousands of responses in flight is a few lines.
constexpr std::chrono::seconds response_failure_interval{10};

}  // namespace

// Everything the threads and the posted closures share: closures hold it by shared_ptr and check `alive`, so
// one that runs after stop() touches nothing that is gone.
struct adapter_engine::state : std::enable_shared_from_this<adapter_engine::state> {
  boost::asio::io_context& io;
  adapter_options options;
  adapter_sink& sink;
  std::vector<std::string> namespaces;
  std::string uid;
  sio::detail::redis_endpoint endpoint;

  std::map<std::string, std::string> pattern_nsp;                                   // broadcast pattern -> nsp
  std::map<std::string, std::pair<std::string, channel_kind>> channel_nsp;          // request/response -> nsp
  std::map<std::string, sio::detail::classic_channels> nsp_channels;

  std::atomic<bool> alive{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> redis_connected{false};
  std::atomic<std::uint64_t> broadcasts_received{0}, broadcasts_ignored{0}, requests_received{0},
      malformed_messages{0}, deliveries{0}, reconnects{0};

  int wake_read = -1, wake_write = -1;
  std::thread subscriber_thread;
  std::unique_ptr<redis_subscriber> first_subscriber;  // from start(), handed to the thread

  // Failed responses not logged yet (within response_failure_interval of the last one logged). Declared before
  // the publisher: its completions use them until it is gone.
  std::mutex failures_mutex;
  std::chrono::steady_clock::time_point failures_quiet_until{};
  std::uint64_t failures_unlogged = 0;
  // The responses' connection, opened by start() when requests are served; its own I/O thread (the gateway's
  // I/O thread only queues) pipelines them in order and reconnects with backoff while buffering.
  std::unique_ptr<sio::detail::redis_pipeline> publisher;

  state(boost::asio::io_context& i, adapter_options o, adapter_sink& s, std::vector<std::string> n, std::string u)
      : io(i), options(std::move(o)), sink(s), namespaces(std::move(n)), uid(std::move(u)) {}

  std::vector<std::string> patterns() const {
    std::vector<std::string> out;
    for (const auto& [pattern, nsp] : pattern_nsp) out.push_back(pattern);
    return out;
  }
  std::vector<std::string> plain_channels() const {
    std::vector<std::string> out;
    for (const auto& [channel, target] : channel_nsp) out.push_back(channel);
    return out;
  }

  std::unique_ptr<redis_subscriber> connect() const {
    return std::make_unique<redis_subscriber>(endpoint, options.connect_timeout, patterns(), plain_channels());
  }

  // sio's one backoff rule (sio/backoff.hpp: full jitter), as the library's pipelines reconnect.
  std::chrono::milliseconds backoff(unsigned attempt) const {
    return sio::backoff_delay(options.reconnect_min, options.reconnect_max, attempt);
  }

  void report(std::string_view what, std::string_view error) const {
    if (options.on_problem) {
      options.on_problem(what, error);
    } else {
      std::fprintf(stderr, "sio-gateway: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
                   static_cast<int>(error.size()), error.data());
    }
  }

  // A message Node would reject or throw on: counted, and told to on_malformed rather than on_problem, since a
  // publisher decides how often this happens (the receiver rate-limits it).
  void malformed(std::string_view channel, std::string_view reason, std::size_t bytes) {
    ++malformed_messages;
    if (options.on_malformed) options.on_malformed(channel, reason, bytes);
  }

  // Sleeps, but returns at once when stop() writes to the wake pipe.
  void sleep_unless_stopped(std::chrono::milliseconds d) const {
    pollfd p{wake_read, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(d.count()));
  }

  void run_subscriber() {
    std::unique_ptr<redis_subscriber> sub = std::move(first_subscriber);
    unsigned attempt = 0;
    while (!stopping) {
      if (!sub) {
        sleep_unless_stopped(backoff(attempt++));
        if (stopping) break;
        try {
          sub = connect();
          redis_connected = true;
          ++reconnects;
          attempt = 0;
        } catch (const std::exception& e) {
          report("redis reconnect failed", e.what());
          continue;
        }
      }
      try {
        if (auto m = sub->next(poll_interval, wake_read)) dispatch(*m);
      } catch (const sio::redis_error& e) {
        report("redis subscription lost", e.what());
        sub.reset();
        redis_connected = false;
      }
    }
    if (sub) sub->unsubscribe();
    redis_connected = false;
  }

  std::unique_ptr<sio::detail::redis_pipeline> make_publisher() const {
    sio::detail::reconnect_policy reconnect;
    reconnect.max_buffered_messages = max_buffered_responses;
    reconnect.max_buffered_bytes = max_buffered_response_bytes;
    reconnect.drop_oldest = true;
    reconnect.base_delay = options.reconnect_min;
    reconnect.max_delay = options.reconnect_max;
    reconnect.give_up_buffered_after = give_up_buffered_responses_after;
    sio::detail::pipeline_limits limits;
    limits.max_queued_bytes = max_unsent_response_bytes;
    limits.max_unanswered = max_unanswered_responses;
    // No opener: the endpoint's one server, as the subscriber connects (the command line takes no sentinel URL).
    return std::make_unique<sio::detail::redis_pipeline>(endpoint, options.connect_timeout, options.connect_timeout,
                                                         reconnect, limits);
  }

  // A response that was not published (error reply, lost connection, dropped from the full buffer, given up).
  // Responses are fire-and-forget as in Node: the requester times out. Called on the publisher's I/O thread or,
  // when queueing throws, on the I/O thread.
  void response_failed(std::string_view channel, std::string_view error) {
    const auto now = std::chrono::steady_clock::now();
    std::uint64_t unlogged = 0;
    {
      std::lock_guard lock(failures_mutex);
      if (now < failures_quiet_until) {
        ++failures_unlogged;
        return;
      }
      failures_quiet_until = now + response_failure_interval;
      unlogged = std::exchange(failures_unlogged, 0);
    }
    report("redis response not published",
           unlogged == 0 ? fmt::format("PUBLISH {}: {}", channel, error)
                         : fmt::format("PUBLISH {}: {} ({} more not published before it, not logged)", channel,
                                       error, unlogged));
  }

  // After the publisher is gone: the failures counted but not logged yet.
  void report_unlogged_failures() {
    std::uint64_t unlogged = 0;
    {
      std::lock_guard lock(failures_mutex);
      unlogged = std::exchange(failures_unlogged, 0);
    }
    if (unlogged != 0)
      report("redis response not published", fmt::format("{} more responses not published, not logged", unlogged));
  }

  // On the I/O thread. Queued in order on one connection: the responses on a channel keep the requests' order.
  void publish(const std::string& channel, const std::string& payload) {
    if (!publisher) return;
    try {
      publisher->enqueue("PUBLISH", channel, payload,
                         [this, channel](const sio::detail::command_outcome& outcome) {
                           if (outcome.code != sio::errc::ok) response_failed(channel, outcome.message);
                         },
                         /*may_buffer=*/true);
    } catch (const std::exception& e) {
      response_failed(channel, e.what());
    }
  }

  // On the subscriber thread: decode, then post the effect.
  void dispatch(const pubsub_message& m) {
    if (!m.pattern.empty()) {
      const auto it = pattern_nsp.find(m.pattern);
      if (it == pattern_nsp.end()) return;
      dispatch_broadcast(it->second, m);
      return;
    }
    const auto it = channel_nsp.find(m.channel);
    if (it == channel_nsp.end() || it->second.second != channel_kind::request) return;  // no pending requests
    dispatch_request(it->second.first, m);
  }

  void dispatch_broadcast(const std::string& nsp, const pubsub_message& m) {
    auto room = sio::detail::classic_channel_room(m.channel, nsp_channels.at(nsp).broadcast_prefix);
    if (!room) {
      ++broadcasts_ignored;
      return;
    }
    auto decoding = std::make_shared<broadcast_decoding>(decode_broadcast(m.payload, uid, nsp));
    boost::asio::post(io, [self = shared_from_this(), nsp, room = std::move(*room), decoding, channel = m.channel,
                           bytes = m.payload.size()] {
      if (!self->alive) return;
      // Step 3 runs here: rooms live on the I/O thread. Node drops before decoding, so a malformed message to
      // an unknown room counts as ignored.
      if (!passes_room_prefilter(room, [&](const std::string& r) { return self->sink.has_room(nsp, r); })) {
        ++self->broadcasts_ignored;
        return;
      }
      switch (decoding->outcome) {
        case broadcast_outcome::malformed: self->malformed(channel, decoding->reason, bytes); return;
        case broadcast_outcome::ignored: ++self->broadcasts_ignored; return;
        case broadcast_outcome::apply: break;
      }
      try {
        self->deliveries += self->sink.broadcast(nsp, *decoding->message);
        ++self->broadcasts_received;
      } catch (const std::exception& e) {
        self->malformed(channel, fmt::format("not applied: {}", e.what()), bytes);
      }
    });
  }

  void dispatch_request(const std::string& nsp, const pubsub_message& m) {
    ++requests_received;
    auto decoding = decode_request(m.payload, uid);
    if (decoding.outcome == request_outcome::malformed) malformed(m.channel, decoding.reason, m.payload.size());
    if (decoding.outcome != request_outcome::handle) return;
    auto req = std::make_shared<request>(std::move(*decoding.req));
    boost::asio::post(io, [self = shared_from_this(), nsp, req, channel = m.channel, bytes = m.payload.size()] {
      if (!self->alive) return;
      try {
        self->apply_request(nsp, *req);
      } catch (const std::exception& e) {
        self->malformed(channel, fmt::format("not applied: {}", e.what()), bytes);
      }
    });
  }

  // On the I/O thread.
  void apply_request(const std::string& nsp, const request& r) {
    const std::string& response_channel = nsp_channels.at(nsp).response;
    const auto socket_exists = [&] {
      const auto ids = sink.socket_ids(nsp, {r.sid});
      return std::find(ids.begin(), ids.end(), r.sid) != ids.end();
    };
    const socketio::target one_socket{{r.sid}, {}};
    switch (r.type) {
      case request_type::sockets: {
        const bool nothing = r.socket_rooms.names.empty() && r.socket_rooms.matchless;
        publish(response_channel,
                sockets_response(r.request_id,
                                 nothing ? std::vector<std::string>{} : sink.socket_ids(nsp, r.socket_rooms.names)));
        break;
      }
      case request_type::all_rooms: publish(response_channel, all_rooms_response(r.request_id, sink.all_rooms(nsp)));
        break;
      case request_type::remote_join:
      case request_type::remote_leave: {
        const bool join = r.type == request_type::remote_join;
        if (r.legacy) {
          if (!socket_exists()) return;
          join ? sink.join(nsp, one_socket, r.rooms) : sink.leave(nsp, one_socket, r.rooms);
          publish(response_channel, legacy_response(r.request_id));
        } else if (!r.target_matches_nothing) {
          join ? sink.join(nsp, r.target, r.rooms) : sink.leave(nsp, r.target, r.rooms);
        }
        break;
      }
      case request_type::remote_disconnect:
        if (r.legacy) {
          if (!socket_exists()) return;
          sink.disconnect(nsp, one_socket, r.close);
          publish(response_channel, legacy_response(r.request_id));
        } else if (!r.target_matches_nothing) {
          sink.disconnect(nsp, r.target, r.close);
        }
        break;
      case request_type::remote_fetch:
        publish(response_channel,
                fetch_sockets_response(r.request_id, r.target_matches_nothing
                                                         ? std::vector<socketio::socket_description>{}
                                                         : sink.fetch_sockets(nsp, r.target)));
        break;
      case request_type::server_side_emit:
        // The gateway has no server-side listeners. A Node requester (serverSideEmitWithAck) waits for an answer
        // from every other subscriber of the request channel, so answer at once with an empty acknowledgement
        // (data undefined, as a listener calling back with no argument) rather than make it time out after 5 s.
        if (!r.request_id.is_undefined()) publish(response_channel, server_side_emit_ack_response(r.request_id));
        break;
      case request_type::broadcast: {
        std::size_t count = 0;
        if (!r.target_matches_nothing) {
          std::weak_ptr<state> weak = weak_from_this();
          count = sink.broadcast_with_ack(nsp, r.target, r.data,
                                          [weak, response_channel, id = r.request_id](const sio::value& arg) {
                                            if (auto self = weak.lock(); self && self->alive)
                                              self->publish(response_channel, broadcast_ack_response(id, arg));
                                          });
        }
        publish(response_channel, client_count_response(r.request_id, count));
        break;
      }
      case request_type::broadcast_client_count:  // responses: decode_request never hands them on
      case request_type::broadcast_ack: break;
    }
  }
};

adapter_engine::adapter_engine(boost::asio::io_context& io, adapter_options options, adapter_sink& sink,
                               std::vector<std::string> namespaces, std::string uid)
    : state_(std::make_shared<state>(io, std::move(options), sink, std::move(namespaces), std::move(uid))) {
  auto& s = *state_;
  s.endpoint = sio::detail::parse_redis_url(s.options.redis_url);
  sio::detail::apply_tls_options(s.options.tls, s.endpoint);
  for (const auto& nsp : s.namespaces) {
    sio::detail::classic_channels c = sio::detail::classic_channels_for(s.options.key, nsp, s.uid);
    s.pattern_nsp[c.broadcast_pattern] = nsp;
    if (s.options.serve_requests) {
      s.channel_nsp[c.request] = {nsp, channel_kind::request};
      s.channel_nsp[c.response] = {nsp, channel_kind::response};
      s.channel_nsp[c.own_response] = {nsp, channel_kind::response};
    }
    s.nsp_channels.emplace(nsp, std::move(c));
  }
}

adapter_engine::~adapter_engine() { stop(); }

void adapter_engine::start() {
  auto& s = *state_;
  if (s.subscriber_thread.joinable()) return;
  s.first_subscriber = s.connect();  // throws: the first attempt must succeed
  if (!s.channel_nsp.empty()) {       // requests are served: responses need their connection
    s.publisher = s.make_publisher();
    s.publisher->connect();           // throws as the subscriber does; later the publisher reconnects itself
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw sio::connection_error("cannot create the adapter's wake pipe");
  s.wake_read = fds[0];
  s.wake_write = fds[1];
  s.redis_connected = true;
  s.alive = true;
  s.stopping = false;
  s.subscriber_thread = std::thread([st = state_] { st->run_subscriber(); });
}

void adapter_engine::stop() {
  auto& s = *state_;
  s.alive = false;
  s.stopping = true;
  if (s.wake_write >= 0) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(s.wake_write, &byte, 1);
  }
  if (s.subscriber_thread.joinable()) s.subscriber_thread.join();
  // Waits for the responses queued to be answered: with Redis away, those buffered get the command timeout
  // (connect_timeout) to go out, then fail (and are reported).
  s.publisher.reset();
  s.report_unlogged_failures();
  if (s.wake_read >= 0) ::close(s.wake_read);
  if (s.wake_write >= 0) ::close(s.wake_write);
  s.wake_read = s.wake_write = -1;
}

adapter_stats adapter_engine::stats() const {
  const auto& s = *state_;
  adapter_stats out;
  out.redis_connected = s.redis_connected;
  out.broadcasts_received = s.broadcasts_received;
  out.broadcasts_ignored = s.broadcasts_ignored;
  out.requests_received = s.requests_received;
  out.malformed_messages = s.malformed_messages;
  out.deliveries = s.deliveries;
  out.reconnects = s.reconnects;
  return out;
}

const std::string& adapter_engine::uid() const noexcept { return state_->uid; }

}  // namespace sio::gateway::adapter
