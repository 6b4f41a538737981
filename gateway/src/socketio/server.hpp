// The Socket.IO v5 layer: namespaces, sockets, rooms, CONNECT with authentication, and the operations the Redis
// adapter applies (broadcast, join, leave, disconnect, presence). Single-threaded: every call on the I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "sio/internal/protocol/classic_receive.hpp"
#include "sio/internal/protocol/stream_recovery.hpp"
#include "engineio/session.hpp"
#include "sio/value.hpp"

namespace sio::gateway::auth {
class authenticator;
}

namespace sio::gateway::socketio {

struct server_options {
  // Namespaces clients may connect to; others get CONNECT_ERROR "Invalid namespace". "/" is always served.
  std::vector<std::string> namespaces{"/"};
  std::chrono::milliseconds connect_timeout{45000};  // CONNECT must arrive within this after the handshake
  std::size_t max_attachments = 10;
};

// Which sockets of a namespace an operation targets (PROTOCOL.md §3.4): rooms empty = all, minus `except`. The
// adapter protocol's own types (sio/internal/protocol/classic_receive.hpp), so decoded messages apply as they are.
using target = sio::detail::room_target;
using broadcast_flags = sio::detail::broadcast_flags;
using socket_description = sio::detail::socket_description;  // one socket as fetchSockets reports it (§8.4)

// Called for events a namespace sees, for metrics and the adapter (e.g. a namespace gets its first socket).
struct server_hooks {
  std::function<void(std::string_view nsp)> namespace_created;  // before its first socket joins
  // A CONNECT was refused (authentication, unknown namespace): called once per Engine.IO connection, for its first
  // refusal, with the reason sent in CONNECT_ERROR (never the token), to log it.
  std::function<void(const engineio::session& s, std::string_view nsp, std::string_view reason)> connect_refused;
};

// Connection state recovery (socket.io 4.8 `connectionStateRecovery`): where sessions of sockets that dropped are
// kept and found again (the streams adapter's Redis keys and stream). Calls happen on the I/O thread.
struct restored_session {
  sio::detail::recovery_session session;
  std::vector<sio::value> missed;  // the EVENT packets' data sent since the client's offset, each ending with its id
};
class recovery_store {
 public:
  virtual ~recovery_store() = default;
  // A socket of `nsp` dropped for a recoverable reason: keep its session (fire and forget).
  virtual void persist(std::string_view nsp, const sio::detail::recovery_session& session) = 0;
  // A CONNECT carried auth {pid, offset} (strings): take the session `pid` and the packets of `nsp` it missed since
  // `offset`. `done` must be called exactly once, on the I/O thread: with the session, or nullopt (none, expired, the
  // offset is gone from the stream, Redis unreachable), and never before the live packets it replays stop being
  // missed: the store orders `done` before the broadcasts that come after the last packet it replays.
  virtual void restore(std::string nsp, std::string pid, std::string offset,
                       std::function<void(std::optional<restored_session>)> done) = 0;
};

class server final : public engineio::handler {
 public:
  // `auth` decides CONNECT: it gets the CONNECT payload and the handshake and yields the user id (the socket then
  // joins "user:<id>") or a refusal sent as CONNECT_ERROR.
  server(boost::asio::io_context& io, server_options options, const auth::authenticator& auth, server_hooks hooks);
  ~server() override;

  // engineio::handler
  void on_open(const std::shared_ptr<engineio::session>& s) override;
  void on_message(const std::shared_ptr<engineio::session>& s, std::string_view data, bool binary) override;
  void on_close(const std::shared_ptr<engineio::session>& s, std::string_view reason) override;

  // The operations of the adapter. Unknown namespaces have no sockets: nothing happens, counts are 0.
  // Writes `packet` (already encoded once) to every targeted socket; returns how many it was written to
  // (volatile packets skipped for non-writable sessions are not counted).
  std::size_t broadcast(std::string_view nsp, const target& t, const std::shared_ptr<const outgoing_packet>& packet,
                        broadcast_flags flags);
  // Broadcast with acknowledgement (PROTOCOL.md §8.3): each targeted socket gets `data` (an array: event and
  // arguments) with its own ack id; `on_ack` gets the first argument of each client ack. Returns the client count.
  std::size_t broadcast_with_ack(std::string_view nsp, const target& t, const sio::value& data,
                                 std::function<void(const sio::value& first_arg)> on_ack);
  void join(std::string_view nsp, const target& t, const std::vector<std::string>& rooms);
  void leave(std::string_view nsp, const target& t, const std::vector<std::string>& rooms);
  // Sends DISCONNECT ("io server disconnect") to the targeted sockets; `close` closes their whole connection.
  void disconnect(std::string_view nsp, const target& t, bool close);

  // Presence (PROTOCOL.md §8.4).
  std::vector<std::string> socket_ids(std::string_view nsp, const std::vector<std::string>& rooms) const;
  std::vector<std::string> all_rooms(std::string_view nsp) const;
  std::vector<socket_description> fetch_sockets(std::string_view nsp, const target& t) const;

  std::vector<std::string> namespaces() const;  // the configured namespaces

  // Told on the I/O thread when a room of a namespace gets its first socket (`created`) or loses its last, as the
  // in-memory adapter's "create-room" / "delete-room" (the sharded adapter subscribes a room's channel on them).
  // `socket_room`: the room is a socket's own id (the adapter's sids.has(room)). One listener; set it before
  // sockets connect.
  using room_listener =
      std::function<void(std::string_view nsp, const std::string& room, bool created, bool socket_room)>;
  void on_room_change(room_listener listener);
  // Turns connection state recovery on (before clients connect; `store` outlives the server): each socket gets a pid
  // sent in CONNECT; a recoverable disconnection persists its session; a CONNECT with auth {pid, offset} whose
  // session is found gets its id, rooms and data back and the packets it missed, and the client sees `recovered`.
  // The authenticator still decides every CONNECT (socket.io's skipMiddlewares does not apply to authentication),
  // and a session whose "user:" rooms are not the authenticated user's is not restored (a new session starts).
  void enable_recovery(recovery_store& store);
  std::size_t socket_count() const noexcept;    // connected Socket.IO sockets, all namespaces
  // Recovery: sessions found for a CONNECT but not restored, their "user:" rooms not the authenticated user's.
  std::uint64_t sessions_refused() const noexcept;
  // Volatile broadcast packets not written to a socket whose session was not writable, since the start.
  std::uint64_t volatile_dropped() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sio::gateway::socketio
