#include "sio/internal/protocol/classic_receive.hpp"

#include <utility>

#include "sio/error.hpp"
#include "sio/internal/value/json_writer.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

namespace {

request_decoding result(request_outcome outcome, std::string reason) {
  request_decoding d;
  d.outcome = outcome;
  d.reason = std::move(reason);
  return d;
}

bool is_object_like(const sio::value& v) {
  return v.type() == sio::value::kind::object || v.type() == sio::value::kind::array;
}

// opts.rooms / opts.except as Sets; false when Node would throw (opts.rooms not iterable).
bool read_target(const sio::value& opts, classic_request& r) {
  const auto rooms = to_room_set(property(opts, "rooms"));
  const auto except = to_room_set(property(opts, "except"));
  if (!rooms || !except) return false;
  r.target.rooms = rooms->names;
  r.target.except = except->names;
  r.target_matches_nothing = rooms->names.empty() && rooms->matchless;
  return true;
}

// socket.join(rooms): an array joins each element, anything else joins [rooms]; only strings can name a room.
std::vector<std::string> rooms_argument(const sio::value& v) {
  std::vector<std::string> out;
  if (v.type() == sio::value::kind::array) {
    for (const auto& e : v.as_array())
      if (e.type() == sio::value::kind::string) out.push_back(e.as_string());
  } else if (v.type() == sio::value::kind::string) {
    out.push_back(v.as_string());
  }
  return out;
}

}  // namespace

namespace {

broadcast_decoding broadcast_result(broadcast_outcome outcome, std::string reason) {
  broadcast_decoding d;
  d.outcome = outcome;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

broadcast_decoding decode_broadcast(std::string_view payload, std::string_view own_uid, std::string_view nsp) {
  sio::value message;
  try {
    message = decode_msgpack(payload);
  } catch (const sio::data_error& e) {
    return broadcast_result(broadcast_outcome::malformed, e.what());
  }
  // const [uid, packet, opts] = args: anything but an array is a TypeError here (a string would destructure
  // into characters, and then setting packet.nsp on a string throws in strict mode).
  if (message.type() != sio::value::kind::array) return broadcast_result(broadcast_outcome::malformed, "not an array");
  const auto& parts = message.as_array();
  const auto part = [&](std::size_t i) { return i < parts.size() ? parts[i] : sio::value::undefined(); };
  const sio::value uid = part(0);
  const sio::value packet = part(1);
  const sio::value opts = part(2);

  if (uid.type() == sio::value::kind::string && uid.as_string() == own_uid)
    return broadcast_result(broadcast_outcome::ignored, "own uid");
  if (!truthy(packet)) return broadcast_result(broadcast_outcome::ignored, "no packet");
  if (packet.type() != sio::value::kind::object && packet.type() != sio::value::kind::array)
    return broadcast_result(broadcast_outcome::malformed, "packet is not an object");  // packet.nsp = "/" throws
  sio::value packet_nsp = property(packet, "nsp");
  if (packet_nsp.is_undefined()) packet_nsp = "/";
  if (packet_nsp.type() != sio::value::kind::string || packet_nsp.as_string() != nsp)
    return broadcast_result(broadcast_outcome::ignored, "another namespace");
  // opts.rooms = new Set(...) assigns a property: TypeError for undefined, null and (strict mode) primitives.
  if (opts.type() != sio::value::kind::object && opts.type() != sio::value::kind::array)
    return broadcast_result(broadcast_outcome::malformed, "opts missing or not an object");

  const auto rooms = to_room_set(property(opts, "rooms"));
  const auto except = to_room_set(property(opts, "except"));
  if (!rooms || !except)
    return broadcast_result(broadcast_outcome::malformed, "opts.rooms or opts.except is not iterable");
  // Rooms that can only hold non-string names reach nobody.
  if (rooms->names.empty() && rooms->matchless)
    return broadcast_result(broadcast_outcome::ignored, "no room can match");

  // Node sends packet.type as is; the emitter always writes 2 (EVENT), the only type a gateway encodes.
  const sio::value type = property(packet, "type");
  if (type.type() != sio::value::kind::number || type.as_number() != 2)
    return broadcast_result(broadcast_outcome::malformed, "packet type is not 2 (EVENT)");

  const sio::value flags = property(opts, "flags");
  broadcast_decoding d;
  d.outcome = broadcast_outcome::apply;
  d.message.emplace();
  d.message->data = property(packet, "data");
  d.message->target.rooms = rooms->names;
  d.message->target.except = except->names;
  d.message->flags.volatile_ = truthy(property(flags, "volatile"));
  const sio::value compress = property(flags, "compress");
  d.message->flags.compress = !(compress.type() == sio::value::kind::boolean && !compress.as_bool());
  return d;
}

request_decoding decode_request(std::string_view payload, std::string_view own_uid) {
  sio::value message;
  try {
    message = !payload.empty() && payload.front() == '{' ? sio::json(payload) : decode_msgpack(payload);
  } catch (const sio::data_error& e) {
    return result(request_outcome::malformed, e.what());
  }
  if (!is_object_like(message)) return result(request_outcome::ignored, "not an object");
  const sio::value type = property(message, "type");
  if (type.type() != sio::value::kind::number) return result(request_outcome::ignored, "unknown request type");
  const double t = type.as_number();
  if (!(t >= 0 && t <= classic_request_type_max) || t != static_cast<double>(static_cast<int>(t)))
    return result(request_outcome::ignored, "unknown request type");

  classic_request r;
  r.type = static_cast<classic_request_type>(static_cast<int>(t));
  r.uid = property(message, "uid");
  r.request_id = property(message, "requestId");
  const sio::value opts = property(message, "opts");

  switch (r.type) {
    case classic_request_type::sockets: {
      auto rooms = to_room_set(property(message, "rooms"));
      if (!rooms) return result(request_outcome::malformed, "rooms is not iterable");
      r.socket_rooms = std::move(*rooms);
      break;
    }
    case classic_request_type::all_rooms: break;
    case classic_request_type::remote_join:
    case classic_request_type::remote_leave:
      if (truthy(opts)) {
        if (!read_target(opts, r)) return result(request_outcome::malformed, "opts.rooms is not iterable");
        r.rooms = rooms_argument(property(message, "rooms"));
      } else {
        r.legacy = true;
        const sio::value sid = property(message, "sid");
        if (sid.type() != sio::value::kind::string) return result(request_outcome::ignored, "no such socket");
        r.sid = sid.as_string();
        r.rooms = rooms_argument(property(message, "room"));
      }
      break;
    case classic_request_type::remote_disconnect:
      r.close = truthy(property(message, "close"));
      if (truthy(opts)) {
        if (!read_target(opts, r)) return result(request_outcome::malformed, "opts.rooms is not iterable");
      } else {
        r.legacy = true;
        const sio::value sid = property(message, "sid");
        if (sid.type() != sio::value::kind::string) return result(request_outcome::ignored, "no such socket");
        r.sid = sid.as_string();
      }
      break;
    case classic_request_type::remote_fetch:
      if (opts.is_undefined() || opts.is_null()) return result(request_outcome::malformed, "opts missing");
      if (!read_target(opts, r)) return result(request_outcome::malformed, "opts.rooms is not iterable");
      break;
    case classic_request_type::server_side_emit:
      if (r.uid.type() == sio::value::kind::string && r.uid.as_string() == own_uid)
        return result(request_outcome::ignored, "own uid");
      r.data = property(message, "data");
      break;
    case classic_request_type::broadcast: {
      const sio::value packet = property(message, "packet");
      if (!is_object_like(packet)) return result(request_outcome::malformed, "packet missing");
      if (opts.is_undefined() || opts.is_null()) return result(request_outcome::malformed, "opts missing");
      if (!read_target(opts, r)) return result(request_outcome::malformed, "opts.rooms is not iterable");
      r.data = property(packet, "data");
      break;
    }
    case classic_request_type::broadcast_client_count:  // responses, never requests: above the range checked
    case classic_request_type::broadcast_ack: return result(request_outcome::ignored, "unknown request type");
  }
  request_decoding d;
  d.outcome = request_outcome::handle;
  d.req = std::move(r);
  return d;
}

namespace {

sio::value string_array(const std::vector<std::string>& items) {
  sio::value::array_type out;
  out.reserve(items.size());
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

std::string stringify(sio::value::object_type members) {
  std::string out;
  write_json(out, sio::value::object(std::move(members)));
  return out;
}

}  // namespace

std::string sockets_response(const sio::value& request_id, const std::vector<std::string>& socket_ids) {
  return stringify({{"requestId", request_id}, {"sockets", string_array(socket_ids)}});
}

std::string all_rooms_response(const sio::value& request_id, const std::vector<std::string>& rooms) {
  return stringify({{"requestId", request_id}, {"rooms", string_array(rooms)}});
}

std::string legacy_response(const sio::value& request_id) { return stringify({{"requestId", request_id}}); }

std::string server_side_emit_ack_response(const sio::value& request_id) {
  return stringify({{"type", static_cast<int>(classic_request_type::server_side_emit)}, {"requestId", request_id}});
}

std::string fetch_sockets_response(const sio::value& request_id,
                                   const std::vector<socket_description>& sockets) {
  // handshake and data arrive as JSON texts: spliced in verbatim.
  std::string out = "{";
  if (!request_id.is_undefined()) {
    out += "\"requestId\":";
    write_json(out, request_id);
    out += ',';
  }
  out += "\"sockets\":[";
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    const auto& s = sockets[i];
    if (i != 0) out += ',';
    out += "{\"id\":";
    write_json_string(out, s.id);
    out += ",\"handshake\":";
    out += s.handshake_json;
    out += ",\"rooms\":";
    write_json(out, string_array(s.rooms));
    out += ",\"data\":";
    out += s.data_json;
    out += '}';
  }
  out += "]}";
  return out;
}

std::string client_count_response(const sio::value& request_id, std::size_t client_count) {
  return stringify({{"type", static_cast<int>(classic_request_type::broadcast_client_count)},
                    {"requestId", request_id},
                    {"clientCount", static_cast<double>(client_count)}});
}

std::string broadcast_ack_response(const sio::value& request_id, const sio::value& first_ack_arg) {
  std::string out;
  notepack_writer(out).value(
      sio::value::object({{"type", static_cast<int>(classic_request_type::broadcast_ack)},
                          {"requestId", request_id},
                          {"packet", first_ack_arg}}));
  return out;
}

}  // namespace sio::detail
