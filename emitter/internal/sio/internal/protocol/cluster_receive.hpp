// The receiving side of socket.io-adapter's ClusterMessages (cluster-adapter.js), which the sharded adapter
// (@socket.io/redis-adapter createShardedAdapter, PROTOCOL.md §4) and the streams adapter
// (@socket.io/redis-streams-adapter, §5.2, §8.7) speak, without I/O: one message decoded and filtered as
// ClusterAdapter.onMessage does, and the responses and heartbeats a server publishes. The publisher side is
// cluster_message.hpp, sharded_codec.hpp, streams_codec.hpp and request_codec.hpp; the type numbers are
// adapter_types.hpp's, the channels channels.hpp's.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sio/internal/protocol/adapter_types.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/classic_receive.hpp"  // room_target, broadcast_flags, socket_description
#include "sio/internal/protocol/request_codec.hpp"    // cluster_adapter, answer
#include "sio/internal/redis/command.hpp"
#include "sio/value.hpp"

namespace sio::detail {

// --- decoded bodies (`data` of each type) -------------------------------------------------------------------------

// 3 BROADCAST {packet, opts, requestId?}.
struct cluster_broadcast {
  sio::value data;  // packet.data: [event, ...args] (may be anything: written as given)
  room_target target;
  broadcast_flags flags;
  // opts.flags.volatile !== undefined: ClusterAdapter appends no recovery offset then (addOffsetIfNecessary).
  bool volatile_defined = false;
  // packet.id !== undefined: a packet with an acknowledgement id, which ClusterAdapter never gives an offset.
  bool packet_has_id = false;
  // addOffsetIfNecessary: a server with connection state recovery appends the stream entry's id to `data` (an
  // EVENT packet, no packet id, opts.flags.volatile undefined), so its client can resume from it.
  bool takes_recovery_offset() const noexcept { return !packet_has_id && !volatile_defined; }
  // requestId !== undefined: a broadcast with ack; answered with 11 and 12, the id echoed as is.
  sio::value request_id = sio::value::undefined();
  // opts.rooms held only non-strings: no socket can be targeted (a broadcast with ack still reports 0 clients).
  bool matches_nothing = false;
  bool with_ack() const noexcept { return !request_id.is_undefined(); }
};

// 4 SOCKETS_JOIN / 5 SOCKETS_LEAVE {opts, rooms}: `rooms` as socket.join/leave take them (an array, or one room).
struct cluster_sockets_rooms {
  room_target target;
  std::vector<std::string> rooms;
};

// 6 DISCONNECT_SOCKETS {opts, close}.
struct cluster_disconnect {
  room_target target;
  bool close = false;  // truthy(data.close)
};

// 7 FETCH_SOCKETS {opts, requestId}: answered with 8 even when nothing matches.
struct cluster_fetch_sockets {
  room_target target;
  sio::value request_id = sio::value::undefined();
  bool matches_nothing = false;
};

// 9 SERVER_SIDE_EMIT {packet: [event, ...args], requestId?}: answered with 10 by the first callback call.
struct cluster_server_side_emit {
  sio::value packet;  // an array
  sio::value request_id = sio::value::undefined();
  bool with_ack() const noexcept { return !request_id.is_undefined(); }
};

// 1 INITIAL_HEARTBEAT, 2 HEARTBEAT, 13 ADAPTER_CLOSE carry no data: std::monostate. ClusterAdapter (the sharded
// adapter, the streams adapter 0.3.1) ignores them; a ClusterAdapterWithHeartbeat counts the sender as a live
// server (1 also asks it to publish a HEARTBEAT, 13 forgets it). The caller decides.
// 8, 10, 11, 12: the responses, read by request_codec's cluster_answer (the same reader as decode_answer's).
using cluster_body = std::variant<std::monostate, cluster_broadcast, cluster_sockets_rooms, cluster_disconnect,
                                  cluster_fetch_sockets, cluster_server_side_emit, answer>;

struct cluster_message {
  cluster_message_type type = cluster_message_type::broadcast;
  sio::value uid = sio::value::undefined();  // the sender's uid as given
  // String(uid): the requester a response goes to, cluster_response_channel(prefix, nsp, reply_to) (an uid that
  // is not a string still names a channel in JavaScript: "undefined", "5", ...).
  std::string reply_to;
  std::string nsp;
  cluster_body body;
};

enum class cluster_outcome {
  apply,      // `message` is set
  ignored,    // own uid, another namespace (or none), unknown type, targets no socket, an answer without requestId
  malformed,  // undecodable, or Node would throw handling it (data or opts missing, packet not an array, ...)
};

struct cluster_decoding {
  cluster_outcome outcome = cluster_outcome::malformed;
  std::optional<cluster_message> message;
  std::string reason;  // why it was ignored or malformed, for logs
};

// Who receives: this server's uid (its own messages are ignored; empty: none is) and its namespace (others' are
// ignored).
struct cluster_receiver {
  cluster_adapter adapter = cluster_adapter::sharded;
  std::string_view own_uid;
  std::string_view nsp;
};

// A pub/sub message: sharded (the main channel, a room channel): first byte '{' -> JSON.parse, else notepack;
// streams (<prefix>#<nsp># and the server's own <prefix>#<nsp>#<uid>#, ephemeral messages and responses): always
// msgpack. Then ClusterAdapter.onMessage's filters: own uid -> ignored; nsp !== the namespace -> ignored (a
// missing nsp too); a type that is not a MessageType number -> ignored.
cluster_decoding decode_cluster_message(const cluster_receiver& self, std::string_view payload);

// A message on the server's own response channel <prefix>#<nsp>#<own uid>#. The sharded adapter hands it to
// onResponse without the uid and nsp filters: only 8, 10, 11, 12 are read, anything else is ignored. The streams
// adapter filters it as any message (the same as decode_cluster_message).
cluster_decoding decode_cluster_response(const cluster_receiver& self, std::string_view payload);

// A streams adapter entry (XREAD/XRANGE) as node-redis gives it: its fields, a later duplicate winning.
struct stream_entry {
  std::optional<std::string_view> uid, nsp, type, data;
};
// From the flat reply [field, value, field, value, ...] (an odd last field is dropped).
stream_entry stream_entry_of(std::span<const std::string_view> fields);
// RedisStreamsAdapter.decode then onMessage: no or an empty nsp -> ignored (the poller skips it); type =
// parseInt(type, 10); data: none or empty -> no data, starts with '{' -> JSON.parse, else base64 of msgpack.
cluster_decoding decode_stream_entry(const cluster_receiver& self, const stream_entry& entry);

// --- what a server publishes --------------------------------------------------------------------------------------

// Who answers: publishResponse adds this server's uid and nsp after type and data.
struct cluster_responder {
  cluster_adapter adapter = cluster_adapter::sharded;
  std::string_view prefix = "socket.io";  // channelPrefix
  std::string_view nsp = "/";
  std::string_view uid;  // this server's
};

// Each returns the publication of {type, data: {requestId, ...}, uid, nsp} on <prefix>#<nsp>#<reply_to>#:
// sharded: SPUBLISH, JSON.stringify (notepack msgpack when a type that may carry binary has some); streams:
// PUBLISH, always @msgpack/msgpack (doPublishResponse). requestId is echoed as decoded (undefined: left out of
// JSON, nil in the streams' msgpack). Throws sio::data_error for strings that are not valid UTF-8.
command cluster_client_count_response(const cluster_responder& from, std::string_view reply_to,
                                      const sio::value& request_id, std::size_t client_count);  // 11
command cluster_broadcast_ack_response(const cluster_responder& from, std::string_view reply_to,
                                       const sio::value& request_id, const sio::value& packet);  // 12
command cluster_fetch_sockets_response(const cluster_responder& from, std::string_view reply_to,
                                       const sio::value& request_id,
                                       const std::vector<socket_description>& sockets);  // 8
command cluster_server_side_emit_response(const cluster_responder& from, std::string_view reply_to,
                                          const sio::value& request_id, const sio::value& packet);  // 10

// 1, 2 or 13 as a streams server's encode() writes it: XADD <stream> MAXLEN ~ <maxLen> * uid <uid> nsp <nsp>
// type <n>, no data field (the type is the command's payload, the rest between).
command stream_heartbeat(cluster_message_type type, std::string_view uid, std::string_view nsp,
                         const stream_settings& settings);

}  // namespace sio::detail
