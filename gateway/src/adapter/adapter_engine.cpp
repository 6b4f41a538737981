#include "adapter/adapter_engine.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <variant>
#include <thread>
#include <utility>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "adapter/redis_nodes.hpp"
#include "adapter/redis_subscriber.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/classic_receive.hpp"
#include "sio/internal/protocol/cluster_receive.hpp"
#include "sio/internal/protocol/stream_recovery.hpp"
#include "sio/internal/redis/cluster_router.hpp"
#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_pipeline.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/internal/redis/sentinel.hpp"
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
// The streams reader: XREAD COUNT and BLOCK as a Node streams server's defaults (readCount, blockTimeInMs). A restore
// pages through the stream 1000 entries at a time, at most 100 pages (a Node server reads without COUNT, at most
// 100 times): the stream's maxLen (10000 by default) is far below.
constexpr std::string_view stream_read_count = "100";
constexpr std::chrono::milliseconds stream_block{5000};
constexpr std::size_t restore_page = 1000;
constexpr std::size_t restore_max_pages = 100;

void drain(int fd) {
  char bytes[64];
  while (::read(fd, bytes, sizeof bytes) > 0) {
  }
}

void write_byte(int fd) {
  const char byte = 1;
  [[maybe_unused]] const auto written = ::write(fd, &byte, 1);
}

// The fields of one XREAD/XRANGE entry [id, [field, value, ...]] as views of the reply.
std::vector<std::string_view> entry_fields(const sio::detail::redis_reply& entry) {
  std::vector<std::string_view> fields;
  if (entry.elements.size() < 2) return fields;
  for (const auto& f : entry.elements[1].elements) fields.emplace_back(f.text);
  return fields;
}

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
  std::unique_ptr<redis_nodes> nodes;  // where each connection goes (one server, Sentinel's master, a cluster's nodes)

  std::map<std::string, std::string> pattern_nsp;                                   // broadcast pattern -> nsp
  std::map<std::string, std::pair<std::string, channel_kind>> channel_nsp;          // request/response -> nsp
  std::map<std::string, sio::detail::classic_channels> nsp_channels;

  // Sharded mode (createShardedAdapter): the main channel <prefix>#<nsp># and this server's response channel
  // <prefix>#<nsp>#<uid># of each namespace -> nsp; the room channels <prefix>#<nsp>#<room># subscribed now (the
  // subscriber thread's alone), and the changes the I/O thread asked for since (room_changed), under a mutex.
  std::map<std::string, std::string> shard_channel_nsp;
  std::set<std::string> own_response_channels;
  std::map<std::string, std::string> room_channel_nsp;
  struct room_op {
    std::string channel;
    std::string nsp;
    bool subscribe = true;
  };
  std::mutex room_ops_mutex;
  std::vector<room_op> room_ops;

  // Streams mode: one reader per stream the namespaces are written to (streamName, or streamName-<i>), each with its
  // own connection and thread, as a Node server reads each stream with its own client; restores of its namespaces
  // queue here for it.
  struct restore_request {
    std::string nsp, pid, offset;
    std::function<void(std::optional<socketio::restored_session>)> done;
  };
  struct stream_reader {
    std::string stream;
    std::set<std::string> nsps;
    std::string cursor;  // the id of the last entry read ("0-0": none); the reader thread's alone once started
    std::unique_ptr<sio::detail::redis_connection> first;  // from start(), handed to the thread
    int wake_read = -1, wake_write = -1;
    std::mutex mutex;
    std::vector<restore_request> restores;
    std::atomic<bool> connected{false};
    std::string node;  // where it reads now (nodes_mutex); empty while not connected
    std::thread thread;
  };
  std::vector<std::unique_ptr<stream_reader>> readers;
  std::map<std::string, stream_reader*, std::less<>> reader_of_nsp;
  std::atomic<std::uint64_t> stream_entries{0}, sessions_stored{0}, sessions_restored{0}, sessions_not_found{0};

  std::atomic<bool> alive{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> redis_connected{false};
  std::atomic<std::size_t> channels_subscribed{0};
  std::atomic<std::uint64_t> broadcasts_received{0}, broadcasts_ignored{0}, requests_received{0},
      malformed_messages{0}, deliveries{0}, reconnects{0};

  int wake_read = -1, wake_write = -1;
  std::thread subscriber_thread;
  // The subscriber thread's connections: one, but in sharded mode on a Redis Cluster one per master that owns a
  // slot of a channel subscribed (`node`), each holding those channels.
  struct sub_link {
    std::optional<sio::detail::redis_address> node;
    std::unique_ptr<redis_subscriber> sub;
  };
  std::vector<sub_link> first_links;  // from start(), handed to the thread
  // What stats() reports per node: the subscriber thread's links (node, subscriptions), and each reader's node.
  mutable std::mutex nodes_mutex;
  std::vector<std::pair<std::string, std::size_t>> link_nodes;

  // Failed responses not logged yet (within response_failure_interval of the last one logged). Declared before
  // the publisher: its completions use them until it is gone.
  std::mutex failures_mutex;
  std::chrono::steady_clock::time_point failures_quiet_until{};
  std::uint64_t failures_unlogged = 0;
  // The responses' connection, opened by start() when requests are served; its own I/O thread (the gateway's
  // I/O thread only queues) pipelines them in order and reconnects with backoff while buffering.
  std::unique_ptr<sio::detail::redis_pipeline> publisher;
  std::unique_ptr<sio::detail::cluster_router> cluster_publisher;  // in its place on a Redis Cluster

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

  bool sharded() const noexcept { return options.mode == sio::Options::adapter_mode::sharded; }
  bool streams() const noexcept { return options.mode == sio::Options::adapter_mode::streams; }
  // The ClusterAdapter dialect of the main and response channels (sharded: SPUBLISH and JSON or notepack; streams:
  // PUBLISH and @msgpack/msgpack).
  sio::detail::cluster_adapter cluster_kind() const noexcept {
    return streams() ? sio::detail::cluster_adapter::streams : sio::detail::cluster_adapter::sharded;
  }

  bool sharded_cluster() const { return sharded() && nodes->cluster(); }

  // Every subscription, on as many connections as it takes. Throws sio::redis_error.
  std::vector<sub_link> connect() {
    std::vector<sub_link> links;
    const auto timeout = options.connect_timeout;
    if (!sharded()) {
      std::vector<std::string> channels;
      if (streams()) {
        for (const auto& [channel, nsp] : shard_channel_nsp) channels.push_back(channel);
      } else {
        channels = plain_channels();
      }
      links.push_back({std::nullopt, std::make_unique<redis_subscriber>(
                                         nodes->connect_any(), timeout,
                                         streams() ? std::vector<std::string>{} : patterns(), channels)});
      channels_subscribed = streams() ? channels.size() : pattern_nsp.size() + channel_nsp.size();
      return links;
    }
    std::vector<std::string> shard;
    for (const auto& [channel, nsp] : shard_channel_nsp) shard.push_back(channel);
    for (const auto& [channel, nsp] : room_channel_nsp) shard.push_back(channel);
    if (!nodes->cluster()) {
      links.push_back({std::nullopt, std::make_unique<redis_subscriber>(nodes->connect_any(), timeout,
                                                                        std::vector<std::string>{},
                                                                        std::vector<std::string>{}, shard)});
    } else {
      // Each channel on the master of its slot, as the sharded adapter's cluster client subscribes.
      std::map<std::string, std::pair<sio::detail::redis_address, std::vector<std::string>>> by_node;
      for (const auto& channel : shard) {
        const auto node = *nodes->owner(channel);
        auto& group = by_node[node.text()];
        group.first = node;
        group.second.push_back(channel);
      }
      for (auto& [text, group] : by_node)
        links.push_back({group.first, std::make_unique<redis_subscriber>(nodes->connect_to(group.first), timeout,
                                                                         std::vector<std::string>{},
                                                                         std::vector<std::string>{}, group.second)});
    }
    channels_subscribed = shard.size();
    return links;
  }

  // Sharded: SSUBSCRIBE `channel` where it belongs now (cluster: on the master of its slot, a new connection if
  // none is open to it). Throws sio::redis_error.
  void shard_subscribe(std::vector<sub_link>& links, const std::string& channel) {
    if (!nodes->cluster()) {
      links.front().sub->shard_subscribe(channel);
      return;
    }
    const auto node = *nodes->owner(channel);
    for (auto& link : links) {
      if (link.node == node) {
        link.sub->shard_subscribe(channel);
        return;
      }
    }
    links.push_back({node, std::make_unique<redis_subscriber>(nodes->connect_to(node), options.connect_timeout,
                                                              std::vector<std::string>{}, std::vector<std::string>{},
                                                              std::vector<std::string>{channel})});
  }

  void shard_unsubscribe(std::vector<sub_link>& links, const std::string& channel) {
    if (!nodes->cluster()) {
      links.front().sub->shard_unsubscribe(channel);
      return;
    }
    // On the link that holds it (its slot's master when it was subscribed; another node would answer MOVED). None:
    // Redis unsubscribed it already (its slot moved) and it was not subscribed again yet.
    for (auto& link : links)
      if (link.sub->holds_shard_channel(channel)) link.sub->shard_unsubscribe(channel);
  }

  // Channels Redis unsubscribed by itself (their slot moved): subscribed again where their slot lives now.
  void resubscribe_moved(std::vector<sub_link>& links) {
    std::vector<std::string> moved;
    for (auto& link : links)
      for (auto& channel : link.sub->take_lost_shard_channels()) moved.push_back(std::move(channel));
    if (moved.empty()) return;
    nodes->invalidate();
    for (const auto& channel : moved) {
      report("redis shard channel moved", fmt::format("{}: subscribed again on the master of its slot", channel));
      shard_subscribe(links, channel);
    }
  }

  void wake() const { write_byte(wake_write); }

  // On the subscriber thread: empties the wake pipe, then applies the room channel changes asked for (on `links`
  // when connected; a reconnect subscribes the whole set anyway).
  void apply_room_ops(std::vector<sub_link>& links) {
    drain(wake_read);
    std::vector<room_op> ops;
    {
      std::lock_guard lock(room_ops_mutex);
      ops.swap(room_ops);
    }
    for (auto& op : ops) {
      const bool known = room_channel_nsp.contains(op.channel);
      if (op.subscribe == known) continue;
      if (op.subscribe) {
        room_channel_nsp.emplace(op.channel, op.nsp);
        if (!links.empty()) shard_subscribe(links, op.channel);
      } else {
        room_channel_nsp.erase(op.channel);
        if (!links.empty()) shard_unsubscribe(links, op.channel);
      }
    }
    if (!links.empty()) channels_subscribed = shard_channel_nsp.size() + room_channel_nsp.size();
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

  // Sleeps, but returns at once when stop() writes to the wake pipe (`fd`: the subscriber's, or a reader's).
  void sleep_unless_stopped(std::chrono::milliseconds d, int fd = -1) const {
    pollfd p{fd < 0 ? wake_read : fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(d.count()));
  }

  // The next message of any link: each is read until it would block, then all are polled with the wake pipe.
  // nullopt on timeout or wake.
  std::optional<pubsub_message> next_message(std::vector<sub_link>& links) {
    if (links.size() == 1) return links.front().sub->next(poll_interval, wake_read);
    for (;;) {
      for (auto& link : links) {
        if (auto m = link.sub->next(std::chrono::milliseconds{0})) return m;
        if (link.sub->lost_shard_channels()) return std::nullopt;  // subscribed again elsewhere at once
      }
      std::vector<pollfd> fds;
      fds.push_back({wake_read, POLLIN, 0});
      for (const auto& link : links) fds.push_back({link.sub->fd(), POLLIN, 0});
      const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(poll_interval.count()));
      if (ready <= 0 || (fds[0].revents & POLLIN) != 0) return std::nullopt;
    }
  }

  // After the links changed: what stats() reports per node.
  void note_links(const std::vector<sub_link>& links) {
    std::vector<std::pair<std::string, std::size_t>> now;
    for (const auto& link : links) now.emplace_back(link.sub->node(), link.sub->subscriptions());
    std::lock_guard lock(nodes_mutex);
    link_nodes = std::move(now);
  }

  void lose(std::vector<sub_link>& links, std::string_view why) {
    report("redis subscription lost", why);
    links.clear();
    note_links(links);
    redis_connected = false;
    if (nodes->cluster()) nodes->invalidate();  // a failover or a resharding, perhaps
  }

  void run_subscriber() {
    std::vector<sub_link> links = std::move(first_links);
    note_links(links);
    unsigned attempt = 0;
    while (!stopping) {
      if (sharded()) {
        try {
          apply_room_ops(links);
          if (nodes->cluster() && !links.empty()) resubscribe_moved(links);
          note_links(links);
        } catch (const sio::redis_error& e) {
          lose(links, e.what());
        }
      }
      if (links.empty()) {
        sleep_unless_stopped(backoff(attempt++));
        if (stopping) break;
        try {
          links = connect();
          note_links(links);
          redis_connected = true;
          ++reconnects;
          attempt = 0;
        } catch (const std::exception& e) {
          report("redis reconnect failed", e.what());
          if (nodes->cluster()) nodes->invalidate();
          continue;
        }
      }
      try {
        if (auto m = next_message(links)) dispatch(*m);
      } catch (const sio::redis_error& e) {
        lose(links, e.what());
      }
    }
    for (auto& link : links) link.sub->unsubscribe();
    links.clear();
    note_links(links);
    redis_connected = false;
  }

  // The responses' buffering and backoff while Redis is away, for a pipeline or the cluster router alike.
  sio::detail::reconnect_policy response_reconnect() const {
    sio::detail::reconnect_policy reconnect;
    reconnect.max_buffered_messages = max_buffered_responses;
    reconnect.max_buffered_bytes = max_buffered_response_bytes;
    reconnect.drop_oldest = true;
    reconnect.base_delay = options.reconnect_min;
    reconnect.max_delay = options.reconnect_max;
    reconnect.give_up_buffered_after = give_up_buffered_responses_after;
    return reconnect;
  }

  std::unique_ptr<sio::detail::redis_pipeline> make_publisher() const {
    sio::detail::pipeline_limits limits;
    limits.max_queued_bytes = max_unsent_response_bytes;
    limits.max_unanswered = max_unanswered_responses;
    // Sentinel: each (re)connect asks the sentinels for the master, so the responses follow a failover.
    sio::detail::connection_opener open;
    if (endpoint.topology == sio::detail::redis_endpoint::deployment::sentinel)
      open = [ep = endpoint, t = options.connect_timeout] { return sio::detail::connect_to(ep, t, t); };
    return std::make_unique<sio::detail::redis_pipeline>(endpoint, options.connect_timeout, options.connect_timeout,
                                                         response_reconnect(), limits, open);
  }

  bool can_publish() const noexcept { return publisher || cluster_publisher; }

  // On the I/O thread: one command on the responses' connection (a cluster: routed to its key's master).
  void send(const sio::detail::command& c) {
    if (!can_publish()) return;
    const auto what = fmt::format("{} {}", c.verb, c.channel);
    auto done = [this, what](const sio::detail::command_outcome& outcome) {
      if (outcome.code != sio::errc::ok) response_failed(what, outcome.message);
    };
    try {
      if (cluster_publisher)
        cluster_publisher->enqueue(c, done, /*may_buffer=*/true);
      else
        publisher->enqueue(c.verb, c.channel, c.payload, done, /*may_buffer=*/true, c.between);
    } catch (const std::exception& e) {
      response_failed(what, e.what());
    }
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
           unlogged == 0 ? fmt::format("{}: {}", channel, error)
                         : fmt::format("{}: {} ({} more not published before it, not logged)", channel, error,
                                       unlogged));
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
  void publish(const std::string& channel, const std::string& payload, std::string_view verb = "PUBLISH") {
    send(sio::detail::command{std::string(verb), channel, payload});
  }
  void publish(const sio::detail::command& response) { send(response); }

  // On the subscriber thread: decode, then post the effect.
  void dispatch(const pubsub_message& m) {
    if (sharded() || streams()) {
      auto it = shard_channel_nsp.find(m.channel);
      if (it == shard_channel_nsp.end()) it = room_channel_nsp.find(m.channel);
      if (it == room_channel_nsp.end()) return;
      dispatch_cluster(it->second, m);
      return;
    }
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

  // Sharded mode: a ClusterMessage on a main or room channel (PROTOCOL.md §4.3, §8.6), applied as
  // ClusterAdapter.onMessage does.
  void dispatch_cluster(const std::string& nsp, const pubsub_message& m) {
    // This gateway asks no server anything: what arrives on its own response channel is not for it.
    if (own_response_channels.contains(m.channel)) return;
    const sio::detail::cluster_receiver self{cluster_kind(), uid, nsp};
    post_cluster(nsp, sio::detail::decode_cluster_message(self, m.payload), m.channel, m.payload.size(), {});
  }

  // On a Redis thread: a decoded ClusterMessage applied on the I/O thread (`offset`: the stream entry's id).
  void post_cluster(const std::string& nsp, sio::detail::cluster_decoding decoded, const std::string& channel,
                    std::size_t bytes, std::string offset) {
    switch (decoded.outcome) {
      case sio::detail::cluster_outcome::malformed: malformed(channel, decoded.reason, bytes); return;
      case sio::detail::cluster_outcome::ignored: ++broadcasts_ignored; return;
      case sio::detail::cluster_outcome::apply: break;
    }
    auto decoding = std::make_shared<sio::detail::cluster_decoding>(std::move(decoded));
    boost::asio::post(io, [self = shared_from_this(), nsp, decoding, channel, bytes, offset = std::move(offset)] {
      if (!self->alive) return;
      try {
        self->apply_cluster(nsp, *decoding->message, offset);
      } catch (const std::exception& e) {
        self->malformed(channel, fmt::format("not applied: {}", e.what()), bytes);
      }
    });
  }

  // On the I/O thread: ClusterAdapter.onMessage's effects, and its answers on the requester's response channel.
  void apply_cluster(const std::string& nsp, const sio::detail::cluster_message& message, const std::string& offset) {
    using sio::detail::cluster_message_type;
    const sio::detail::cluster_responder from{cluster_kind(), options.key, nsp, uid};
    const std::string& reply_to = message.reply_to;
    if (const auto* b = std::get_if<sio::detail::cluster_broadcast>(&message.body)) {
      if (!b->with_ack()) {
        if (b->matches_nothing) {
          ++broadcasts_ignored;
          return;
        }
        // addOffsetIfNecessary: with recovery, the entry's id ends the arguments, for the client to resume from.
        if (options.recovery && !offset.empty() && b->takes_recovery_offset() &&
            b->data.type() == sio::value::kind::array) {
          sio::value::array_type data = b->data.as_array();
          data.emplace_back(offset);
          deliveries += sink.broadcast(nsp, broadcast_message{sio::value(std::move(data)), b->target, b->flags});
        } else {
          deliveries += sink.broadcast(nsp, broadcast_message{b->data, b->target, b->flags});
        }
        ++broadcasts_received;
        return;
      }
      ++requests_received;
      std::size_t count = 0;
      if (!b->matches_nothing) {
        std::weak_ptr<state> weak = weak_from_this();
        // Acks come later: the closure owns its strings (a cluster_responder only views them).
        count = sink.broadcast_with_ack(
            nsp, b->target, b->data, [weak, nsp, reply_to, id = b->request_id](const sio::value& arg) {
              auto self = weak.lock();
              if (!self || !self->alive) return;
              const sio::detail::cluster_responder later{self->cluster_kind(), self->options.key, nsp, self->uid};
              self->publish(sio::detail::cluster_broadcast_ack_response(later, reply_to, id, arg));
            });
      }
      publish(sio::detail::cluster_client_count_response(from, reply_to, b->request_id, count));
    } else if (const auto* r = std::get_if<sio::detail::cluster_sockets_rooms>(&message.body)) {
      ++requests_received;
      if (message.type == cluster_message_type::sockets_join)
        sink.join(nsp, r->target, r->rooms);
      else
        sink.leave(nsp, r->target, r->rooms);
    } else if (const auto* d = std::get_if<sio::detail::cluster_disconnect>(&message.body)) {
      ++requests_received;
      sink.disconnect(nsp, d->target, d->close);
    } else if (const auto* f = std::get_if<sio::detail::cluster_fetch_sockets>(&message.body)) {
      ++requests_received;
      publish(sio::detail::cluster_fetch_sockets_response(
          from, reply_to, f->request_id,
          f->matches_nothing ? std::vector<socketio::socket_description>{} : sink.fetch_sockets(nsp, f->target)));
    } else if (const auto* e = std::get_if<sio::detail::cluster_server_side_emit>(&message.body)) {
      ++requests_received;
      // No server-side listeners here: a requester waiting for every other server gets an empty acknowledgement
      // at once (as from a listener calling back with no argument) instead of a 5 s timeout.
      if (e->with_ack())
        publish(sio::detail::cluster_server_side_emit_response(from, reply_to, e->request_id,
                                                               sio::value::undefined()));
    }
    // Heartbeats, ADAPTER_CLOSE and answers: this gateway neither counts peers nor asks anything.
  }


  // --- streams: the readers ----------------------------------------------------------------------------------------

  // A reader's connection; the first one also finds where the gateway starts: after the stream's last entry (none:
  // "0-0"), so that nothing written after start-up is missed, even between two XREADs.
  std::unique_ptr<sio::detail::redis_connection> connect_reader(stream_reader& r) const {
    auto conn = nodes->connect_owner(r.stream);  // a cluster: the master of the stream's slot
    {
      std::lock_guard lock(nodes_mutex);
      r.node = node_name(conn->endpoint());
    }
    if (r.cursor.empty()) {
      const std::array<sio::detail::redis_command, 1> last{
          sio::detail::redis_command{"XREVRANGE", r.stream, "+", "-", "COUNT", "1"}};
      const auto replies = conn->pipeline(last);
      sio::detail::throw_if_error(replies[0], "XREVRANGE " + r.stream, sio::detail::acl_user_of(endpoint));
      r.cursor = replies[0].elements.empty() || replies[0].elements[0].elements.empty()
                     ? "0-0"
                     : replies[0].elements[0].elements[0].text;
    }
    return conn;
  }

  // One entry read (XREAD, or XRANGE past the cursor during a restore): the cursor moves past it, and it is applied
  // as a Node streams server's onRawMessage does.
  void apply_entry(stream_reader& r, const sio::detail::redis_reply& e) {
    if (e.elements.size() < 2) return;
    const std::string& id = e.elements[0].text;
    r.cursor = id;
    ++stream_entries;
    const auto fields = entry_fields(e);
    const auto entry = sio::detail::stream_entry_of(fields);
    if (!entry.nsp) return;  // not an adapter's entry (the poller skips an entry without nsp)
    const auto nsp = r.nsps.find(std::string(*entry.nsp));
    if (nsp == r.nsps.end()) {  // another namespace's (a server that serves it applies it)
      ++broadcasts_ignored;
      return;
    }
    std::size_t bytes = 0;
    for (const auto f : fields) bytes += f.size();
    const sio::detail::cluster_receiver self{sio::detail::cluster_adapter::streams, uid, *nsp};
    post_cluster(*nsp, sio::detail::decode_stream_entry(self, entry), r.stream, bytes, id);
  }

  void post_restored(restore_request& q, std::optional<socketio::restored_session> restored) {
    ++(restored ? sessions_restored : sessions_not_found);
    boost::asio::post(io, [self = shared_from_this(), done = std::move(q.done), restored = std::move(restored)]() mutable {
      if (self->alive) done(std::move(restored));
    });
  }

  // restoreSession: the session taken (GET and DEL in one MULTI), the client's offset still in the stream, then
  // every later entry; those past the reader's cursor are returned in `newer`, to apply after the restored socket
  // exists. Throws sio::redis_error (the connection is then dropped).
  std::optional<socketio::restored_session> restore_one(stream_reader& r, sio::detail::redis_connection& conn,
                                                        const restore_request& q,
                                                        std::vector<sio::detail::redis_reply>& newer) {
    if (!sio::detail::valid_stream_offset(q.offset)) return std::nullopt;  // "invalid offset"
    const std::string key = sio::detail::session_key(options.session_key_prefix, q.pid);
    // On a Redis Cluster the session's key may live on another master than the stream.
    std::unique_ptr<sio::detail::redis_connection> elsewhere;
    sio::detail::redis_connection* session_conn = &conn;
    if (nodes->cluster() && nodes->owner(key) != nodes->owner(r.stream)) {
      elsewhere = nodes->connect_owner(key);
      session_conn = elsewhere.get();
    }
    const std::array<sio::detail::redis_command, 4> take{
        sio::detail::redis_command{"MULTI"}, sio::detail::redis_command{"GET", key},
        sio::detail::redis_command{"DEL", key}, sio::detail::redis_command{"EXEC"}};
    const std::array<sio::detail::redis_command, 1> check{
        sio::detail::redis_command{"XRANGE", r.stream, q.offset, q.offset}};
    const auto replies = session_conn->pipeline(take);
    const auto offset_entry = conn.pipeline(check);
    const std::string user = sio::detail::acl_user_of(endpoint);
    for (const auto& reply : replies) sio::detail::throw_if_error(reply, "restoring a session (GET, DEL " + key + ")", user);
    sio::detail::throw_if_error(offset_entry[0], "XRANGE " + r.stream, user);
    const auto& exec = replies[3];
    if (exec.elements.empty() || exec.elements[0].kind != sio::detail::redis_reply::type::string) return std::nullopt;
    if (offset_entry[0].elements.empty()) return std::nullopt;  // the offset was trimmed away
    auto session = sio::detail::decode_session(exec.elements[0].text);
    if (!session) return std::nullopt;
    socketio::restored_session out;
    std::string last = q.offset;
    for (std::size_t page = 0; page < restore_max_pages; ++page) {
      // A redis_command views its words: the ones made here must outlive it.
      const std::string from = sio::detail::next_stream_offset(last);
      const std::string count = std::to_string(restore_page);
      const std::array<sio::detail::redis_command, 1> range{
          sio::detail::redis_command{"XRANGE", r.stream, from, "+", "COUNT", count}};
      auto got = conn.pipeline(range);
      sio::detail::throw_if_error(got[0], "XRANGE " + r.stream, user);
      auto& entries = got[0].elements;
      for (auto& e : entries) {
        if (e.elements.size() < 2) continue;
        const std::string& id = e.elements[0].text;
        const auto fields = entry_fields(e);
        if (auto missed = sio::detail::missed_packet(q.nsp, sio::detail::stream_entry_of(fields), id, session->rooms))
          out.missed.push_back(std::move(*missed));
        last = id;
        if (sio::detail::compare_stream_offsets(id, r.cursor) > 0) newer.push_back(std::move(e));
      }
      if (entries.size() < restore_page) break;
    }
    out.session = std::move(*session);
    return out;
  }

  // The restores asked for since the last call, in order. Each one's answer is posted before the entries it read
  // past the cursor are applied. A Redis failure answers it and the rest "not found", and is rethrown.
  void run_restores(stream_reader& r, sio::detail::redis_connection& conn) {
    std::vector<restore_request> batch;
    {
      std::lock_guard lock(r.mutex);
      batch.swap(r.restores);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::vector<sio::detail::redis_reply> newer;
      std::optional<socketio::restored_session> restored;
      try {
        restored = restore_one(r, conn, batch[i], newer);
      } catch (const sio::redis_error&) {
        for (std::size_t j = i; j < batch.size(); ++j) post_restored(batch[j], std::nullopt);
        throw;
      }
      post_restored(batch[i], std::move(restored));
      for (const auto& e : newer) apply_entry(r, e);
    }
  }

  void fail_restores(stream_reader& r) {
    std::vector<restore_request> batch;
    {
      std::lock_guard lock(r.mutex);
      batch.swap(r.restores);
    }
    for (auto& q : batch) post_restored(q, std::nullopt);
  }

  void run_reader(stream_reader& r) {
    std::unique_ptr<sio::detail::redis_connection> conn = std::move(r.first);
    unsigned attempt = 0;
    bool lost = false;  // the last connection failed (not merely dropped to end a blocked XREAD)
    while (!stopping) {
      if (!conn) {
        try {
          conn = connect_reader(r);
          r.connected = true;
          if (lost) report("redis stream reader reconnected", r.stream);
          lost = false;
          attempt = 0;
        } catch (const std::exception& e) {
          r.connected = false;
          {
            std::lock_guard lock(nodes_mutex);
            r.node.clear();
          }
          report("redis stream reader reconnect failed", e.what());
          if (nodes->cluster()) nodes->invalidate();
          fail_restores(r);
          sleep_unless_stopped(backoff(attempt++), r.wake_read);
          continue;
        }
      }
      try {
        drain(r.wake_read);
        run_restores(r, *conn);
        if (stopping) break;
        const std::string block = std::to_string(stream_block.count());
        const std::array<sio::detail::redis_command, 1> xread{sio::detail::redis_command{
            "XREAD", "COUNT", stream_read_count, "BLOCK", block, "STREAMS", r.stream, r.cursor}};
        conn->send(xread);
        const auto reply =
            conn->read_push(std::chrono::steady_clock::now() + stream_block + options.connect_timeout, r.wake_read);
        if (!reply) {
          // Woken (a restore, or stop) or no answer in time: a blocked XREAD cannot be taken back, so the
          // connection goes and the next XREAD starts from the cursor on a new one: nothing is skipped.
          conn.reset();
          continue;
        }
        sio::detail::throw_if_error(*reply, "XREAD " + r.stream, sio::detail::acl_user_of(endpoint));
        for (const auto& stream : reply->elements)
          if (stream.elements.size() >= 2)
            for (const auto& e : stream.elements[1].elements) apply_entry(r, e);
      } catch (const sio::redis_error& e) {
        report("redis stream reader lost", e.what());
        if (nodes->cluster()) nodes->invalidate();  // MOVED: the stream's slot lives elsewhere now
        conn.reset();
        r.connected = false;
        lost = true;
        sleep_unless_stopped(backoff(attempt++), r.wake_read);
      }
    }
    r.connected = false;
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
  s.nodes = std::make_unique<redis_nodes>(s.endpoint, s.options.connect_timeout);
  const sio::detail::stream_settings stream_settings{s.options.stream_name, s.options.stream_count};
  for (const auto& nsp : s.namespaces) {
    if (s.sharded() || s.streams()) {
      // The main channel <key>#<nsp># (sharded: SSUBSCRIBEd; streams: SUBSCRIBEd, the ephemeral requests', whose
      // subscribers Node servers count) and this server's own <key>#<nsp>#<uid>#, as the Node adapters subscribe.
      std::string main;
      sio::detail::append_sharded_channel(main, s.options.key, nsp);
      s.shard_channel_nsp[main] = nsp;
      const auto own = sio::detail::cluster_response_channel(s.options.key, nsp, s.uid);
      s.shard_channel_nsp[own] = nsp;
      s.own_response_channels.insert(own);
    }
    if (s.streams()) {  // and the namespace's stream
      const std::string stream = sio::detail::stream_name_for(nsp, stream_settings);
      auto reader = std::find_if(s.readers.begin(), s.readers.end(), [&](const auto& r) { return r->stream == stream; });
      if (reader == s.readers.end()) {
        s.readers.push_back(std::make_unique<state::stream_reader>());
        s.readers.back()->stream = stream;
        reader = std::prev(s.readers.end());
      }
      (*reader)->nsps.insert(nsp);
      s.reader_of_nsp[nsp] = reader->get();
    }
    if (s.sharded() || s.streams()) continue;
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
  s.first_links = s.connect();  // throws: the first attempt must succeed
  for (auto& r : s.readers) r->first = s.connect_reader(*r);
  if (!s.channel_nsp.empty() || ((s.sharded() || s.streams()) && s.options.serve_requests)) {  // responses
    // Throws as the subscriber does; later the publisher reconnects itself.
    if (s.nodes->cluster()) {
      s.cluster_publisher = std::make_unique<sio::detail::cluster_router>(
          s.endpoint, s.options.connect_timeout, s.options.connect_timeout, s.response_reconnect());
      s.cluster_publisher->connect();
    } else {
      s.publisher = s.make_publisher();
      s.publisher->connect();
    }
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw sio::connection_error("cannot create the adapter's wake pipe");
  s.wake_read = fds[0];
  s.wake_write = fds[1];
  s.redis_connected = true;
  s.alive = true;
  s.stopping = false;
  s.subscriber_thread = std::thread([st = state_] { st->run_subscriber(); });
  for (auto& r : s.readers) {
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw sio::connection_error("cannot create a stream reader's wake pipe");
    r->wake_read = fds[0];
    r->wake_write = fds[1];
    r->connected = true;
    r->thread = std::thread([st = state_, reader = r.get()] { st->run_reader(*reader); });
  }
}

void adapter_engine::stop() {
  auto& s = *state_;
  s.alive = false;
  s.stopping = true;
  if (s.wake_write >= 0) s.wake();
  if (s.subscriber_thread.joinable()) s.subscriber_thread.join();
  for (auto& r : s.readers) {
    if (r->wake_write >= 0) write_byte(r->wake_write);
    if (r->thread.joinable()) r->thread.join();
    if (r->wake_read >= 0) ::close(r->wake_read);
    if (r->wake_write >= 0) ::close(r->wake_write);
    r->wake_read = r->wake_write = -1;
  }
  // Waits for the responses queued to be answered: with Redis away, those buffered get the command timeout
  // (connect_timeout) to go out, then fail (and are reported).
  s.publisher.reset();
  s.cluster_publisher.reset();
  s.report_unlogged_failures();
  if (s.wake_read >= 0) ::close(s.wake_read);
  if (s.wake_write >= 0) ::close(s.wake_write);
  s.wake_read = s.wake_write = -1;
}

void adapter_engine::room_changed(std::string_view nsp, const std::string& room, bool created, bool socket_room) {
  auto& s = *state_;
  if (!s.sharded() || !s.alive) return;
  if (!sio::detail::sharded_server_subscribes_room(sio::detail::subscription_mode_of(s.options.subscription), socket_room))
    return;
  std::string channel;
  sio::detail::append_sharded_channel(channel, s.options.key, nsp, &room);
  {
    std::lock_guard lock(s.room_ops_mutex);
    s.room_ops.push_back({std::move(channel), std::string(nsp), created});
  }
  s.wake();
}

adapter_stats adapter_engine::stats() const {
  const auto& s = *state_;
  adapter_stats out;
  out.redis_connected = s.redis_connected;
  out.mode = s.streams() ? "streams" : (s.sharded() ? "sharded" : "classic");
  out.streams = s.readers.size();
  for (const auto& r : s.readers) out.streams_connected += r->connected ? 1u : 0u;
  out.stream_entries = s.stream_entries;
  out.sessions_stored = s.sessions_stored;
  out.sessions_restored = s.sessions_restored;
  out.sessions_not_found = s.sessions_not_found;
  {
    std::lock_guard lock(s.nodes_mutex);
    std::map<std::string, node_state> by_node;
    for (const auto& [node, count] : s.link_nodes) {
      auto& n = by_node[node];
      n.node = node;
      n.channels += count;
    }
    for (const auto& r : s.readers) {
      if (r->node.empty() || !r->connected) continue;
      auto& n = by_node[r->node];
      n.node = r->node;
      ++n.streams;
    }
    for (auto& [name, n] : by_node) out.nodes.push_back(std::move(n));
  }
  out.channels = s.channels_subscribed;
  out.broadcasts_received = s.broadcasts_received;
  out.broadcasts_ignored = s.broadcasts_ignored;
  out.requests_received = s.requests_received;
  out.malformed_messages = s.malformed_messages;
  out.deliveries = s.deliveries;
  out.reconnects = s.reconnects;
  return out;
}

const std::string& adapter_engine::uid() const noexcept { return state_->uid; }

void adapter_engine::persist_session(std::string_view nsp, const sio::detail::recovery_session& session) {
  auto& s = *state_;
  if (!s.streams() || !s.alive || !s.can_publish()) return;
  (void)nsp;  // one key per pid, whatever the namespace (as the streams adapter)
  // SET <key> <session> PX <maxDisconnectionDuration>: commands are `verb key [between...] payload`.
  sio::detail::command set{"SET", sio::detail::session_key(s.options.session_key_prefix, session.pid),
                           std::to_string(s.options.max_disconnection_duration.count()),
                           {sio::detail::encode_session(session), "PX"}};
  s.send(set);
  ++s.sessions_stored;
}

void adapter_engine::restore_session(std::string nsp, std::string pid, std::string offset,
                                     std::function<void(std::optional<socketio::restored_session>)> done) {
  auto& s = *state_;
  const auto reader = s.reader_of_nsp.find(nsp);
  if (!s.alive || reader == s.reader_of_nsp.end()) {
    boost::asio::post(s.io, [done = std::move(done)] { done(std::nullopt); });
    return;
  }
  state::stream_reader& r = *reader->second;
  {
    std::lock_guard lock(r.mutex);
    r.restores.push_back({std::move(nsp), std::move(pid), std::move(offset), std::move(done)});
  }
  write_byte(r.wake_write);
}

}  // namespace sio::gateway::adapter
