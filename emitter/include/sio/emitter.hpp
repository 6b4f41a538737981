// sio/emitter.hpp: publish Socket.IO broadcasts through Redis, as @socket.io/redis-emitter 5.1.0 does.
//
//   sio::Emitter io{sio::Options{.redis_url = "redis://127.0.0.1:6379"}};
//   io.to("user:42").emit("notification", sio::json(R"({"type":"ORDER_UPDATED"})"));
//   io.of("/admin").except("banned").volatile_().emit("tick", 7);
//   io.flush();  // waits until Redis has everything and throws if any publish failed
//
// Every call validates its input first (event name, rooms, UTF-8) and throws sio::data_error without publishing
// anything when it is bad.
//
// emit() is the hot path: it encodes, queues the command on the emitter's pipelined connection and returns
// without waiting for Redis. Failures after that are never dropped: flush() reports them (or a per-emit
// Completion, for callers who want each outcome). emit_sync(), socketsJoin(), socketsLeave(),
// disconnectSockets() and serverSideEmit() wait for Redis' reply and return what was published with the number
// of subscriptions that received it; Redis failures throw sio::redis_error. Commands reach Redis in the order
// they were queued, whichever form queued them.
//
// Requests ask the servers and wait for their answers (sio/replies.hpp): emit_confirmed() and emitWithAck()
// (how many sockets got an event, and their acknowledgements), fetchSockets() and allSockets() (presence),
// serverSideEmitWithAck() and serverCount(). Each opens its own short-lived connection to receive the answers, so
// requests from several threads do not wait for each other. Once published, they wait for answers at most the
// request timeout (Options::request_timeout, or timeout() on the operator) and return partial results rather
// than throw when it passes; Redis failures throw sio::redis_error.
//
// An Emitter is a cheap handle: copies, of() and the BroadcastOperators made from it share one Redis connection,
// opened on first use, reopened in the background with backoff after a failure, and served by one I/O thread. All of them may be used from
// several threads at once. Destroying the last handle waits up to the command timeout for queued commands to be
// answered. BroadcastOperators are immutable: to()/except()/... return new ones.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sio/error.hpp"
#include "sio/export.hpp"
#include "sio/options.hpp"
#include "sio/outcome.hpp"
#include "sio/replies.hpp"
#include "sio/value.hpp"
#include "sio/version.hpp"

namespace sio {

namespace detail {
class client;
struct target;
enum class operation_kind;
}  // namespace detail

// Counters of the connection an Emitter and its copies share.
struct Stats {
  std::uint64_t queued = 0;        // commands queued since the Emitter was made
  std::uint64_t acknowledged = 0;  // answered by Redis
  std::uint64_t failed = 0;        // error reply, lost connection or no reply within the command timeout
  std::size_t in_flight = 0;       // queued, not answered yet (buffered ones included while Redis is away)
  std::uint64_t reconnects = 0;    // connections opened again after one broke
};

// One room name or several: to("a"), to({"a", "b"}), to(std::vector<std::string>{...}).
class rooms {
 public:
  rooms(std::string_view room) : names_{std::string(room)} {}
  rooms(const char* room) : names_{std::string(room)} {}
  rooms(const std::string& room) : names_{room} {}
  rooms(std::initializer_list<std::string_view> names) : names_(names.begin(), names.end()) {}
  rooms(std::vector<std::string> names) : names_(std::move(names)) {}
  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  std::vector<std::string> names_;
};

// Arguments already encoded in msgpack: `count` values back to back, as notepack.io (the servers' decoder) reads
// them; for a caller that holds them in that form (relayed, or read from JSON without building sio::values by
// sio::read_json_members, as notify --stdin does). emit_msgpack() checks them (well-formed, valid UTF-8 strings,
// string keys, no ext but a Date) without decoding them and, in the classic adapter, publishes the bytes as they
// are; the sharded and streams adapters choose JSON or msgpack by the values (hasBinary), so there they are
// decoded and published as emit_args would.
struct msgpack_args {
  std::string_view bytes;
  std::uint32_t count = 0;
};

class SIO_API BroadcastOperator {
 public:
  // Targets: sockets in any of `to` rooms (all sockets if none), minus sockets in any `except` room.
  BroadcastOperator to(const rooms& r) const;
  BroadcastOperator in(const rooms& r) const { return to(r); }
  BroadcastOperator except(const rooms& r) const;
  // The event may be dropped for clients that are not ready to receive it (Socket.IO's `volatile` flag).
  BroadcastOperator volatile_() const;
  // Whether the receiving servers may compress the packet (permessage-deflate / HTTP compression).
  BroadcastOperator compress(bool enabled) const;
  // How long the requests below wait for the servers' answers (default: Options::request_timeout).
  BroadcastOperator timeout(std::chrono::milliseconds wait) const;

  // emit("notification", 1, "two", sio::json("{\"three\":3}"), std::vector<int>{4}) — any sio::value.
  // Queues the publish and returns at once (see the top of this file). While Redis is unreachable it waits in a
  // bounded buffer and goes out when the emitter has reconnected (Options::max_buffered_messages); throws
  // sio::redis_error only when it cannot be kept: the buffer is full (overflow_policy::fail_new), buffering is
  // off and no connection can be made, or Redis refused the connection (AUTH). Nothing was queued then.
  template <class... Args>
  void emit(std::string_view event, Args&&... args) const {
    const std::array<value, sizeof...(Args)> values{value(std::forward<Args>(args))...};
    emit_args(event, values);
  }
  // The same with the arguments in a container; `done`, when given, receives the outcome instead of flush().
  void emit_args(std::string_view event, std::span<const value> args, Completion done = {}) const;

  // Publishes and waits for Redis' reply: what was published and how many subscriptions received it.
  template <class... Args>
  Published emit_sync(std::string_view event, Args&&... args) const {
    const std::array<value, sizeof...(Args)> values{value(std::forward<Args>(args))...};
    return emit_sync_args(event, values);
  }
  Published emit_sync_args(std::string_view event, std::span<const value> args) const;
  // emit_args / emit_sync_args with the arguments in msgpack (see msgpack_args). Throws sio::data_error for bytes
  // a server could not decode (errc::invalid_utf8 for a string, errc::invalid_argument otherwise); nothing is
  // published then.
  void emit_msgpack(std::string_view event, msgpack_args args, Completion done = {}) const;
  Published emit_msgpack_sync(std::string_view event, msgpack_args args) const;

  // Make the targeted sockets join / leave rooms, or disconnect them (close = also close the underlying
  // connection, for every namespace).
  Published socketsJoin(const rooms& r) const;
  Published socketsLeave(const rooms& r) const;
  Published disconnectSockets(bool close = false) const;

  // Emits with delivery confirmation (a broadcast with ack): every server writes the event to its targeted
  // sockets and reports how many; the result sums them. Clients receive the event with an ack id, so a listener
  // may acknowledge it (socket.on("notification", (n, ack) => ack(...))).
  template <class... Args>
  Delivery emit_confirmed(std::string_view event, Args&&... args) const {
    const std::array<value, sizeof...(Args)> values{value(std::forward<Args>(args))...};
    return emit_confirmed_args(event, values, false);
  }
  // The same, also waiting for every targeted client's acknowledgement (Node's emitWithAck).
  template <class... Args>
  Delivery emitWithAck(std::string_view event, Args&&... args) const {
    const std::array<value, sizeof...(Args)> values{value(std::forward<Args>(args))...};
    return emit_confirmed_args(event, values, true);
  }
  Delivery emit_confirmed_args(std::string_view event, std::span<const value> args, bool wait_for_acks) const;

  // Presence: the targeted sockets on every server, with their rooms, handshake and data (fetchSockets).
  SocketList fetchSockets() const;
  // The ids of the sockets in the target rooms (every socket of the namespace without to()); cheaper than
  // fetchSockets. Refuses except() (the servers' request has no such field): sio::data_error.
  SocketIds allSockets() const;

 private:
  friend class Emitter;
  BroadcastOperator(std::shared_ptr<detail::client> client, std::shared_ptr<const detail::target> target);
  Published run_membership(detail::operation_kind kind, const rooms& r) const;  // socketsJoin / socketsLeave

  std::shared_ptr<detail::client> client_;
  std::shared_ptr<const detail::target> target_;
};

class SIO_API Emitter {
 public:
  explicit Emitter(Options options = {});
  // Options with this Redis URL, defaults otherwise.
  explicit Emitter(std::string_view redis_url);

  // The same emitter on another namespace ("admin" is taken as "/admin").
  Emitter of(std::string_view nsp) const;
  const std::string& nsp() const noexcept;
  const Options& options() const noexcept;

  // Connect now instead of at the first publish (to fail fast). Throws sio::redis_error.
  void connect() const;

  BroadcastOperator to(const rooms& r) const { return all().to(r); }
  BroadcastOperator in(const rooms& r) const { return all().in(r); }
  BroadcastOperator except(const rooms& r) const { return all().except(r); }
  BroadcastOperator volatile_() const { return all().volatile_(); }
  BroadcastOperator compress(bool enabled) const { return all().compress(enabled); }

  template <class... Args>
  void emit(std::string_view event, Args&&... args) const {
    all().emit(event, std::forward<Args>(args)...);
  }
  void emit_args(std::string_view event, std::span<const value> args, Completion done = {}) const {
    all().emit_args(event, args, std::move(done));
  }
  template <class... Args>
  Published emit_sync(std::string_view event, Args&&... args) const {
    return all().emit_sync(event, std::forward<Args>(args)...);
  }
  Published emit_sync_args(std::string_view event, std::span<const value> args) const {
    return all().emit_sync_args(event, args);
  }
  void emit_msgpack(std::string_view event, msgpack_args args, Completion done = {}) const {
    all().emit_msgpack(event, args, std::move(done));
  }
  Published emit_msgpack_sync(std::string_view event, msgpack_args args) const {
    return all().emit_msgpack_sync(event, args);
  }
  Published socketsJoin(const rooms& r) const { return all().socketsJoin(r); }
  Published socketsLeave(const rooms& r) const { return all().socketsLeave(r); }
  Published disconnectSockets(bool close = false) const { return all().disconnectSockets(close); }

  // Emit an event to the namespace's server-side listeners on every server (io.on(...) / nsp.on(...)).
  // The names connect, connection and new_namespace are refused, as Node's own serverSideEmit does.
  template <class... Args>
  Published serverSideEmit(std::string_view event, Args&&... args) const {
    const std::array<value, sizeof...(Args)> values{value(std::forward<Args>(args))...};
    return serverSideEmit_args(event, values);
  }
  Published serverSideEmit_args(std::string_view event, std::span<const value> args) const;

  // The same, collecting each server's acknowledgement: Node servers answer when a listener calls its last
  // argument (a callback) with a value; sio-gateway answers at once, without a value.
  template <class... Args>
  ServerAcks serverSideEmitWithAck(std::string_view event, Args&&... args) const {
    const std::array<value, sizeof...(Args)> values{value(std::forward<Args>(args))...};
    return serverSideEmitWithAck_args(event, values, options().request_timeout);
  }
  ServerAcks serverSideEmitWithAck_args(std::string_view event, std::span<const value> args,
                                        std::chrono::milliseconds timeout) const;

  // The servers of this namespace, as Node's adapter counts them: subscribers of <key>-request#<nsp>#.
  std::size_t serverCount() const;

  // Waits until every command queued so far (by any copy of this Emitter, from any thread) is answered. Throws
  // sio::timeout_error when some are not within `timeout`; otherwise, if any publish queued without a Completion
  // failed since the previous flush, throws the first failure's sio::redis_error (its message counts them).
  void flush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  Stats stats() const;

 private:
  Emitter(std::shared_ptr<detail::client> client, std::string nsp);
  BroadcastOperator all() const;

  std::shared_ptr<detail::client> client_;
  std::string nsp_;
};

}  // namespace sio
