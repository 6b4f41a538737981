// sio/emitter.hpp: publish Socket.IO broadcasts through Redis, as @socket.io/redis-emitter 5.1.0 does.
//
//   sio::Emitter io{sio::Options{.redis_url = "redis://127.0.0.1:6379"}};
//   io.to("user:42").emit("notification", sio::json(R"({"type":"ORDER_UPDATED"})"));
//   io.of("/admin").except("banned").volatile_().emit("tick", 7);
//   io.in("room1").socketsJoin("room2");
//
// Every call validates its input first (event name, rooms, UTF-8) and throws sio::data_error without publishing
// anything when it is bad. Then it publishes, waits for Redis' reply and returns what was published with the
// number of subscriptions that received it; Redis failures throw sio::redis_error. Nothing fails silently.
//
// An Emitter is a cheap handle: copies, of() and the BroadcastOperators made from it share one Redis connection,
// opened on first use. All of them may be used from several threads at once; calls are serialised on the
// connection. BroadcastOperators are immutable: to()/except()/... return new ones.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sio/error.hpp"
#include "sio/export.hpp"
#include "sio/options.hpp"
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
  template <class... Args>
  Published emit(std::string_view event, Args&&... args) const {
    return emit_args(event, std::vector<value>{value(std::forward<Args>(args))...});
  }
  Published emit_args(std::string_view event, std::vector<value> args) const;

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
  Published emit(std::string_view event, Args&&... args) const {
    return all().emit(event, std::forward<Args>(args)...);
  }
  Published emit_args(std::string_view event, std::vector<value> args) const {
    return all().emit_args(event, std::move(args));
  }
  Published socketsJoin(const rooms& r) const { return all().socketsJoin(r); }
  Published socketsLeave(const rooms& r) const { return all().socketsLeave(r); }
  Published disconnectSockets(bool close = false) const { return all().disconnectSockets(close); }

  // Emit an event to the namespace's server-side listeners on every server (io.on(...) / nsp.on(...)).
  // The names connect, connection and new_namespace are refused, as Node's own serverSideEmit does.
  template <class... Args>
  Published serverSideEmit(std::string_view event, Args&&... args) const {
    return serverSideEmit_args(event, std::vector<value>{value(std::forward<Args>(args))...});
  }
  Published serverSideEmit_args(std::string_view event, std::vector<value> args) const;

 private:
  Emitter(std::shared_ptr<detail::client> client, std::string nsp);
  BroadcastOperator all() const;

  std::shared_ptr<detail::client> client_;
  std::string nsp_;
};

}  // namespace sio
