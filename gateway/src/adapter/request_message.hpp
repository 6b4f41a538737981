// Requests from <key>-request#<nsp># as the Node adapter's onrequest reads them (PROTOCOL.md §2, §3.3, §8), and
// the responses a Node server publishes, without I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/js_semantics.hpp"
#include "sio/value.hpp"
#include "socketio/server.hpp"

namespace sio::gateway::adapter {

enum class request_type : int {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,
};

struct request {
  request_type type = request_type::sockets;
  sio::value uid = sio::value::undefined();         // the requester's uid (missing in emitter 2/3/4)
  sio::value request_id = sio::value::undefined();  // echoed as is in responses (undefined -> key left out)

  // 2, 3, 4, 5, 7 with opts: the targeted sockets. `target_matches_nothing`: opts.rooms held only non-strings.
  socketio::target target;
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
  std::optional<request> req;
  std::string reason;
};

// First byte '{' -> JSON.parse, else notepack decode. Type-6 requests carrying `own_uid` are ignored.
request_decoding decode_request(std::string_view payload, std::string_view own_uid);

// Responses, published on <key>-response#<nsp># (JSON.stringify; keys whose value is undefined left out).
std::string sockets_response(const sio::value& request_id, const std::vector<std::string>& socket_ids);   // 0
std::string all_rooms_response(const sio::value& request_id, const std::vector<std::string>& rooms);      // 1
std::string legacy_response(const sio::value& request_id);                                               // 2/3/4
std::string fetch_sockets_response(const sio::value& request_id,
                                   const std::vector<socketio::socket_description>& sockets);            // 5
// 6 with a requestId -> {"type":6,"requestId"}: the acknowledgement of a server without listeners (no data).
std::string server_side_emit_ack_response(const sio::value& request_id);
std::string client_count_response(const sio::value& request_id, std::size_t client_count);               // 7 -> 8
// 7 -> 9: notepack msgpack {type:9, requestId, packet:<first ack argument>}.
std::string broadcast_ack_response(const sio::value& request_id, const sio::value& first_ack_arg);

}  // namespace sio::gateway::adapter
