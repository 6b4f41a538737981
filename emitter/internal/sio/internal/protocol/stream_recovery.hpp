// Connection state recovery as the streams adapter does it (@socket.io/redis-streams-adapter 0.3.1
// persistSession / restoreSession, socket.io 4.8 Socket): what a server stores for a socket that dropped, and what
// a server that recovers it replays. No I/O: the caller runs SET / GETDEL / XRANGE. A session stored by a Node
// server can be recovered by the gateway and the other way round, so these are the Node bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/protocol/classic_receive.hpp"  // room_target
#include "sio/internal/protocol/cluster_receive.hpp"  // stream_entry
#include "sio/value.hpp"

namespace sio::detail {

// The adapter's sessionKeyPrefix default.
inline constexpr std::string_view default_session_key_prefix = "sio:session:";

// What Socket._onclose persists for a recoverable disconnection: {sid, pid, rooms: [...socket.rooms], data}.
struct recovery_session {
  std::string sid;
  std::string pid;
  std::vector<std::string> rooms;  // in the socket's join order (its own id first)
  sio::value data = sio::value::object({});  // socket.data ({} unless the application set it)
};

// socket.io's RECOVERABLE_DISCONNECT_REASONS: only these persist a session.
bool recoverable_disconnect_reason(std::string_view reason) noexcept;

// <prefix><pid>: the session's key.
std::string session_key(std::string_view prefix, std::string_view pid);

// base64(@msgpack/msgpack.encode(session)): the value persistSession SETs (with PX maxDisconnectionDuration).
std::string encode_session(const recovery_session& session);
// The stored value back. nullopt when it is not a session a server could restore from: not base64 msgpack of a
// map, sid or pid not strings, rooms not an array of strings (Node would throw restoring it, and start a new
// session). Never throws.
std::optional<recovery_session> decode_session(std::string_view stored);

// restoreSession's check of the client's offset: /^[0-9]+-[0-9]+$/.
bool valid_stream_offset(std::string_view offset) noexcept;
// RedisStreamsAdapter.nextOffset: "<ms>-<seq + 1>", the first id after `offset` (a valid one).
std::string next_stream_offset(std::string_view offset);

// Orders two valid stream ids as Redis does (milliseconds, then sequence): <0, 0 or >0.
int compare_stream_offsets(std::string_view a, std::string_view b) noexcept;

// shouldIncludePacket: a broadcast reaches a socket of `session_rooms` if it targets no room or one of them, and
// excepts none of them.
bool should_include_packet(const std::vector<std::string>& session_rooms, const room_target& target);

// One XRANGE entry for a socket of namespace `nsp` being recovered: restoreSession's loop body. The packet's data
// with the entry id appended (what the client is sent again, as an EVENT), when the entry is a BROADCAST (type
// "3") of `nsp` that should_include_packet lets through; nullopt otherwise (another namespace or type, a target
// without the socket, or an entry Node could not decode).
std::optional<sio::value> missed_packet(std::string_view nsp, const stream_entry& entry, std::string_view entry_id,
                                        const std::vector<std::string>& session_rooms);

}  // namespace sio::detail
