// The receiving side of the classic adapter (@socket.io/redis-adapter), without I/O: broadcasts from
// <key>#<nsp>#[room#] as the Node adapter's onmessage filters them (PROTOCOL.md §3.2), requests from
// <key>-request#<nsp># as its onrequest reads them (§2, §3.3, §8), and the responses a Node server publishes. The
// type numbers and channel names are adapter_types.hpp's and channels.hpp's, which the emitter's encoders use too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/protocol/adapter_types.hpp"
#include "sio/internal/protocol/js_semantics.hpp"
#include "sio/value.hpp"

namespace sio::detail {

// The sockets a broadcast or request addresses: opts.rooms and opts.except, as Sets of room names.
struct room_target {
  std::vector<std::string> rooms;
  std::vector<std::string> except;
};

// opts.flags of a broadcast, as a receiving server applies them.
struct broadcast_flags {
  bool volatile_ = false;
  bool compress = true;
};

// One socket as fetchSockets reports it (PROTOCOL.md §8.4): JSON texts ready to be embedded.
struct socket_description {
  std::string id;
  std::string handshake_json;  // {headers,time,address,xdomain,secure,issued,url,query,auth}
  std::vector<std::string> rooms;
  std::string data_json = "{}";
};

// --- broadcasts ---------------------------------------------------------------------------------------------------

// Step 3 with the room of classic_channel_room (channels.hpp): a non-empty room that has no local socket drops the
// message.
template <class HasRoom>
bool passes_room_prefilter(const std::string& room, HasRoom&& has_room) {
  return room.empty() || has_room(room);
}

// A broadcast to apply: packet.data encoded once for the targets.
struct broadcast_message {
  sio::value data;  // packet.data: [event, ...args] (may be anything: written as given)
  room_target target;
  broadcast_flags flags;
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

// --- requests -----------------------------------------------------------------------------------------------------


struct classic_request {
  classic_request_type type = classic_request_type::sockets;
  sio::value uid = sio::value::undefined();         // the requester's uid (missing in emitter 2/3/4)
  sio::value request_id = sio::value::undefined();  // echoed as is in responses (undefined -> key left out)

  // 2, 3, 4, 5, 7 with opts: the targeted sockets. `target_matches_nothing`: opts.rooms held only non-strings.
  room_target target;
  bool target_matches_nothing = false;
  // 2/3 without opts (legacy): one socket by id; 4 legacy too.
  bool legacy = false;
  std::string sid;
  // 2/3: the rooms to join or leave (legacy: request.room).
  std::vector<std::string> rooms;
  // 0: request.rooms as a Set (empty = all sockets).
  room_set socket_rooms;
  bool close = false;  // 4
  sio::value data = sio::value::undefined();  // 6: [event, ...args]; 7: packet.data
};

enum class request_outcome {
  handle,     // `req` is set
  ignored,    // unknown type, own uid (6), not an object
  malformed,  // undecodable, or Node would throw handling it (missing opts, ...): nothing happens
};

struct request_decoding {
  request_outcome outcome = request_outcome::malformed;
  std::optional<classic_request> req;
  std::string reason;
};

// First byte '{' -> JSON.parse, else notepack decode. Type-6 requests carrying `own_uid` are ignored.
request_decoding decode_request(std::string_view payload, std::string_view own_uid);

// Responses, published on <key>-response#<nsp># (JSON.stringify; keys whose value is undefined left out).
std::string sockets_response(const sio::value& request_id, const std::vector<std::string>& socket_ids);   // 0
std::string all_rooms_response(const sio::value& request_id, const std::vector<std::string>& rooms);      // 1
std::string legacy_response(const sio::value& request_id);                                               // 2/3/4
std::string fetch_sockets_response(const sio::value& request_id,
                                   const std::vector<socket_description>& sockets);            // 5
// 6 with a requestId -> {"type":6,"requestId"}: the acknowledgement of a server without listeners (no data).
std::string server_side_emit_ack_response(const sio::value& request_id);
std::string client_count_response(const sio::value& request_id, std::size_t client_count);               // 7 -> 8
// 7 -> 9: notepack msgpack {type:9, requestId, packet:<first ack argument>}.
std::string broadcast_ack_response(const sio::value& request_id, const sio::value& first_ack_arg);

}  // namespace sio::detail
