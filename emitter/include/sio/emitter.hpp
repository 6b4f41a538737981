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
// An Emitter is a cheap handle: copies, of() and the BroadcastOperators made from it share one Redis connection,
// opened on first use, reopened after a failure, and served by one I/O thread. All of them may be used from
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
#include "sio/value.hpp"
#include "sio/version.hpp"

namespace sio {

namespace detail {
class client;
struct target;
enum class operation_kind;
}  // namespace detail

// What one call published.
struct Published {
  std::string command;  // "PUBLISH"
  std::string channel;  // e.g. "socket.io#/#user:42#"
  std::string payload;  // the exact bytes published (msgpack for broadcasts, JSON for server-side requests)
  // Subscriptions that received it (Redis' PUBLISH reply); empty in dry-run mode. With the classic adapter every
  // server of the namespace counts once, whether or not the target room has sockets there: 0 means no server
  // listens on this key and namespace.
  std::optional<long long> receivers;
};

// Counters of the connection an Emitter and its copies share.
struct Stats {
  std::uint64_t queued = 0;        // commands queued since the Emitter was made
  std::uint64_t acknowledged = 0;  // answered by Redis
  std::uint64_t failed = 0;        // error reply, lost connection or no reply within the command timeout
  std::size_t in_flight = 0;       // queued, not answered yet
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

  // emit("notification", 1, "two", sio::json("{\"three\":3}"), std::vector<int>{4}) — any sio::value.
  // Queues the publish and returns at once (see the top of this file); throws sio::redis_error only when no
  // connection is open and none can be made (nothing was queued then).
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

  // Make the targeted sockets join / leave rooms, or disconnect them (close = also close the underlying
  // connection, for every namespace).
  Published socketsJoin(const rooms& r) const;
  Published socketsLeave(const rooms& r) const;
  Published disconnectSockets(bool close = false) const;

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
