// Requests that ask the servers and the answers they publish (PROTOCOL.md §8): broadcast with ack (7 -> 8, 9),
// fetchSockets (5), sockets (0), serverSideEmit with ack (6). Pure functions: bytes in, bytes out.
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

// A message on a response channel: JSON when it starts with '{', else msgpack. Empty when it does not decode or
// has no string requestId (not an answer anyone could match).
struct response {
  std::string request_id;
  sio::value body;  // the whole decoded object
};
std::optional<response> decode_response(std::string_view payload);

// A member of an object value, or undefined.
const sio::value& member(const sio::value& object, std::string_view key);

}  // namespace sio::detail
