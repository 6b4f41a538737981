// Every channel and stream name of the adapters, once for both directions (PROTOCOL.md §1.2, §3.1, §4, §5, §8).
// The emitter's encoders publish on them; the gateway subscribes to them and answers on them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sio/options.hpp"

namespace sio::detail {

// --- classic (@socket.io/redis-adapter createAdapter, `key`) ------------------------------------------------------

// <key>#<nsp>#, and <key>#<nsp>#<room># when `room` is given: where a broadcast is published (exactly one room
// gets its room's channel, as a pre-filter for the receivers).
void append_classic_broadcast_channel(std::string& out, std::string_view key, std::string_view nsp,
                                      const std::string* room = nullptr);
void append_classic_request_channel(std::string& out, std::string_view key, std::string_view nsp);  // <key>-request#<nsp>#

std::string request_channel(std::string_view key, std::string_view nsp);           // <key>-request#<nsp>#
std::string shared_response_channel(std::string_view key, std::string_view nsp);   // <key>-response#<nsp>#
std::string own_response_channel(std::string_view key, std::string_view nsp, std::string_view uid);  // ...#<uid>#

// What a server of `uid` subscribes to for one namespace.
struct classic_channels {
  std::string broadcast_prefix;   // <key>#<nsp>#
  std::string broadcast_pattern;  // <key>#<nsp>#*  (PSUBSCRIBE)
  std::string request;            // <key>-request#<nsp>#
  std::string response;           // <key>-response#<nsp>#  (where a default Node responder answers)
  std::string own_response;       // <key>-response#<nsp>#<uid>#
};
classic_channels classic_channels_for(std::string_view key, std::string_view nsp, std::string_view uid);

// The room of a broadcast channel as the adapter's onmessage reads it: "" for the namespace channel, nullopt when
// `channel` does not start with `prefix` (<key>#<nsp>#). The room is everything after the prefix but the last
// character (channel.slice(prefix.length, -1)).
std::optional<std::string> classic_channel_room(std::string_view channel, std::string_view prefix);

// --- sharded (createShardedAdapter, `channelPrefix`) ---------------------------------------------------------------

// Which room channels the receiving servers SSUBSCRIBE (the adapter's subscriptionMode option).
enum class subscription_mode {
  dynamic,          // the default: public rooms get their own channel (not socket ids)
  static_,          // only the main channel: every message goes there
  dynamic_private,  // every room, socket ids included, gets its own channel
};

// The public option's value.
subscription_mode subscription_mode_of(Options::subscription_mode mode) noexcept;

// Whether the adapter gives `room` a channel of its own in `mode`, as its publisher's computeChannel guesses it
// (dynamic: unless it looks like a socket id, a JavaScript string of 20 UTF-16 units).
bool sharded_room_has_channel(std::string_view room, subscription_mode mode);
// Whether a server in `mode` SSUBSCRIBEs a room's channel while it has sockets in the room, as the adapter's
// shouldUseASeparateNamespace decides on "create-room" (dynamic: unless the room is a socket's own id, which
// it knows: sids.has(room); dynamic-private: every room; static: none).
bool sharded_server_subscribes_room(subscription_mode mode, bool socket_room) noexcept;
// <prefix>#<nsp># (the main channel every server subscribes), or <prefix>#<nsp>#<room># when `room` is given.
void append_sharded_channel(std::string& out, std::string_view prefix, std::string_view nsp,
                            const std::string* room = nullptr);
// <prefix>#<nsp>#<uid>#: where the servers answer a request of `uid` (the ClusterAdapter's response channel, the
// same in the sharded and the streams adapter; each server subscribes its own).
std::string cluster_response_channel(std::string_view prefix, std::string_view nsp, std::string_view uid);

// --- streams (@socket.io/redis-streams-adapter) ---------------------------------------------------------------------

struct stream_settings {
  std::string_view stream_name = "socket.io";  // the adapter's streamName option
  std::size_t stream_count = 1;                // its streamCount option
  std::size_t max_len = 10000;                 // its maxLen: the stream is trimmed to about this many entries
};

// The stream the adapter writes a namespace's messages to: streamName when streamCount is 1, else
// streamName-<hashCode(nsp) % streamCount> with JavaScript's int32 hash and signed remainder (a negative
// remainder names a stream the adapter's readers never poll; we write where its own publisher would).
std::string stream_name_for(std::string_view nsp, const stream_settings& settings);

}  // namespace sio::detail
