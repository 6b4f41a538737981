// Requests that ask the servers and the answers they publish (PROTOCOL.md §8). The classic adapter's: broadcast with
// ack (7 -> 8, 9), fetchSockets (5), sockets (0), serverSideEmit with ack (6); socket.io-adapter's ClusterAdapter's,
// which the sharded and streams adapters speak (§8.6, §8.7): BROADCAST with requestId (3 -> 11, 12), FETCH_SOCKETS
// (7 -> 8), SERVER_SIDE_EMIT with requestId (9 -> 10). Pure functions: bytes in, bytes out.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "sio/internal/protocol/channels.hpp"  // request and response channels
#include "sio/internal/protocol/operation.hpp"
#include "sio/value.hpp"

namespace sio::detail {

// Who asks: `uid` names the requester (responders with publishOnSpecificResponseChannel answer on a channel
// built from it), `request_id` names this request; both must differ from any server's (Node uses 6-char ids).
struct request_ids {
  std::string_view uid;
  std::string_view request_id;
};

// Each returns the PUBLISH on the request channel. `op` must be validated. Throws sio::data_error for argument
// values that cannot be encoded (invalid UTF-8).
// 7, msgpack (it may carry binary): {uid, requestId, type, packet: {type: 2, data, nsp}, opts: {rooms, except,
// flags}}; the wait goes into flags.timeout as Node's .timeout() puts it (responders ignore flags).
command encode_broadcast_with_ack(const operation& op, std::string_view key, const request_ids& ids,
                                  std::chrono::milliseconds wait);
// 5, JSON: {uid, requestId, type, opts: {rooms, except}}.
command encode_fetch_sockets(const target& to, std::string_view key, const request_ids& ids);
// 0, JSON: {uid, requestId, type, rooms}.
command encode_all_sockets(const target& to, std::string_view key, const request_ids& ids);
// 6, JSON: {uid, requestId, type, data: [event, ...args]}.
command encode_server_side_emit_with_ack(const operation& op, std::string_view key, const request_ids& ids);

// The ClusterAdapter's requests, ClusterMessage {type, data, uid, nsp}, on the channel every server of the
// namespace subscribes, <prefix>#<nsp>#; the servers answer on cluster_response_channel(prefix, nsp, ids.uid).
//   sharded: SPUBLISH, JSON (notepack msgpack when an argument is binary), as the adapter's encode(); never on a
//            room's channel (its computeChannel keeps requests on the main one too).
//   streams: PUBLISH, always msgpack: the adapter's doPublish() of an ephemeral message (§8.7). ids.uid should be
//            emitter_uid: a ClusterAdapterWithHeartbeat counts any other uid as a server (server_request.cpp).
enum class cluster_adapter { sharded, streams };
// 3 {packet: {type: 2, data}, requestId, opts: {rooms, except, flags}}, the wait in flags.timeout as Node's own.
command encode_cluster_broadcast_with_ack(cluster_adapter adapter, const operation& op, std::string_view prefix,
                                          const request_ids& ids, std::chrono::milliseconds wait);
// 7 {opts: {rooms, except, flags: {}}, requestId}.
command encode_cluster_fetch_sockets(cluster_adapter adapter, const target& to, std::string_view prefix,
                                     const request_ids& ids);
// 9 {requestId, packet: [event, ...args]}.
command encode_cluster_server_side_emit_with_ack(cluster_adapter adapter, const operation& op,
                                                 std::string_view prefix, const request_ids& ids);

// A message on a classic response channel: JSON when it starts with '{', else msgpack. Empty when it does not
// decode or has no string requestId (not an answer anyone could match).
struct response {
  std::string request_id;
  sio::value body;  // the whole decoded object
};
std::optional<response> decode_response(std::string_view payload);

// Which request protocol the servers speak: the classic adapter's, or the ClusterAdapter's (sharded, streams).
enum class request_protocol { classic, cluster };

// What an answer says, whichever protocol carried it.
enum class answer_kind {
  client_count,  // a server wrote a broadcast with ack to `value` sockets (classic 8, cluster 11)
  client_ack,    // a client's acknowledgement, `value` its first argument (classic 9, cluster 12)
  sockets,       // a server's sockets, `value` an array: {id, handshake, rooms, data} objects, or ids (classic 0)
  server_ack,    // a server's acknowledgement of a serverSideEmit, `value` its argument (classic 6, cluster 10)
  other,         // anything else carrying the request id
};
struct answer {
  std::string request_id;
  answer_kind kind = answer_kind::other;
  sio::value value;
};
// A message on a response channel of `protocol`: empty when it does not decode or carries no string requestId
// (classic: top level; cluster: in `data`).
std::optional<answer> decode_answer(request_protocol protocol, std::string_view payload);
// The cluster half of decode_answer on an already decoded ClusterMessage {type, data: {requestId, ...}}, which
// cluster_receive.hpp reads responses with too.
std::optional<answer> cluster_answer(const sio::value& message);

// A member of an object value, or undefined.
const sio::value& member(const sio::value& object, std::string_view key);

}  // namespace sio::detail
