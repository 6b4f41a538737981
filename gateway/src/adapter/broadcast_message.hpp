// Broadcasts from <key>#<nsp>#[room#] as the Node adapter's onmessage filters them (PROTOCOL.md §3.2), without I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sio/value.hpp"
#include "socketio/server.hpp"

namespace sio::gateway::adapter {

// Steps 1–2: the room suffix of a broadcast channel ("" for the namespace channel), or nullopt when the channel
// does not start with `prefix` (<key>#<nsp>#). The room is everything after the prefix but the last character.
std::optional<std::string> channel_room(std::string_view channel, std::string_view prefix);

// Step 3 with the room of channel_room: a non-empty room that has no local socket drops the message.
template <class HasRoom>
bool passes_room_prefilter(const std::string& room, HasRoom&& has_room) {
  return room.empty() || has_room(room);
}

// A broadcast to apply: packet.data encoded once for the targets.
struct broadcast_message {
  sio::value data;  // packet.data: [event, ...args] (may be anything: written as given)
  socketio::target target;
  socketio::broadcast_flags flags;
};

enum class broadcast_outcome {
  apply,      // `message` is set
  ignored,    // own uid, another namespace, or targets no socket can be in
  malformed,  // Node would throw (decode error, opts missing, ...): dropped
};

struct broadcast_decoding {
  broadcast_outcome outcome = broadcast_outcome::malformed;
  std::optional<broadcast_message> message;
  std::string reason;  // why it was ignored or malformed, for logs
};

// Steps 4–8: msgpack [uid, packet, opts]; own uid -> ignored; packet.nsp defaults to "/" and must equal `nsp`;
// opts is required; opts.rooms/except as Sets; opts.flags.volatile (truthy) and compress (!== false).
broadcast_decoding decode_broadcast(std::string_view payload, std::string_view own_uid, std::string_view nsp);

}  // namespace sio::gateway::adapter
