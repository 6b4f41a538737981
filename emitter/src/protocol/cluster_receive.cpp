#include "sio/internal/protocol/cluster_receive.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "sio/error.hpp"
#include "sio/internal/protocol/base64.hpp"
#include "sio/internal/protocol/js_semantics.hpp"
#include "sio/internal/protocol/packet_data.hpp"
#include "sio/internal/value/json_writer.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

namespace {

using kind = sio::value::kind;

cluster_decoding result(cluster_outcome outcome, std::string reason) {
  cluster_decoding d;
  d.outcome = outcome;
  d.reason = std::move(reason);
  return d;
}

bool is_object_like(const sio::value& v) { return v.type() == kind::object || v.type() == kind::array; }

// String(v) for the uid a response channel is built from (`${channel}${requesterUid}#`). Exact for strings,
// numbers, booleans, null and undefined; a Buffer gives its bytes; objects "[object Object]"; arrays join their
// elements (nested containers as "" / "[object Object]"); a Date (timezone-dependent in Node) its ms.
std::string js_string(const sio::value& v, bool nested = false) {
  switch (v.type()) {
    case kind::undefined: return nested ? "" : "undefined";
    case kind::null: return nested ? "" : "null";
    case kind::boolean: return v.as_bool() ? "true" : "false";
    case kind::number:
    case kind::integer:
    case kind::unsigned_integer: {
      const double d = v.as_number();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      std::string out;
      write_json_number(out, d);
      return out;
    }
    case kind::string: return v.as_string();
    case kind::binary: {
      const auto& b = v.as_binary().bytes;
      return std::string(b.begin(), b.end());
    }
    case kind::date: return std::to_string(v.as_date().ms_since_epoch);
    case kind::object: return "[object Object]";
    case kind::array: {
      if (nested) return "";
      std::string out;
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        out += js_string(e, true);  // one level only: no recursion on hostile nesting
      }
      return out;
    }
  }
  return {};
}

// new Set(v) for opts.rooms / opts.except; a Buffer iterates numbers, which name no room.
std::optional<room_set> rooms_of(const sio::value& v) {
  if (v.type() == kind::binary) {
    room_set set;
    set.matchless = !v.as_binary().bytes.empty();
    return set;
  }
  return to_room_set(v);
}

// decodeOptions(data.opts): opts.rooms on undefined or null is a TypeError, as is new Set(<not iterable>).
// Returns the reason Node would throw, or empty.
std::string read_opts(const sio::value& data, room_target& target, bool& matches_nothing) {
  const sio::value opts = property(data, "opts");
  if (opts.is_undefined() || opts.is_null()) return "opts missing";
  const auto rooms = rooms_of(property(opts, "rooms"));
  if (!rooms) return "opts.rooms is not iterable";
  const auto except = rooms_of(property(opts, "except"));
  if (!except) return "opts.except is not iterable";
  target.rooms = rooms->names;
  target.except = except->names;
  matches_nothing = rooms->names.empty() && rooms->matchless;
  return {};
}

// socket.join(rooms): an array joins each element, anything else joins [rooms]; only strings can name a room.
std::vector<std::string> join_rooms(const sio::value& v) {
  std::vector<std::string> out;
  if (v.type() == kind::array) {
    for (const auto& e : v.as_array())
      if (e.type() == kind::string) out.push_back(e.as_string());
  } else if (v.type() == kind::string) {
    out.push_back(v.as_string());
  }
  return out;
}

bool is_response_type(cluster_message_type t) {
  return t == cluster_message_type::fetch_sockets_response || t == cluster_message_type::server_side_emit_response ||
         t == cluster_message_type::broadcast_client_count || t == cluster_message_type::broadcast_ack;
}

// message.type as the switch compares it (===): a number equal to a MessageType.
std::optional<cluster_message_type> message_type(const sio::value& type) {
  if (!type.is_number()) return std::nullopt;
  const double t = type.as_number();
  if (!(t >= 1 && t <= static_cast<int>(cluster_message_type::adapter_close)) || t != std::floor(t))
    return std::nullopt;
  return static_cast<cluster_message_type>(static_cast<int>(t));
}

// onResponse(message): response.data.requestId first (a TypeError without data), then the answer.
cluster_decoding response_of(cluster_message m, const sio::value& message) {
  const sio::value data = property(message, "data");
  if (data.is_undefined() || data.is_null()) return result(cluster_outcome::malformed, "data missing");
  auto a = cluster_answer(message);
  if (!a) return result(cluster_outcome::ignored, "no string requestId");
  m.body = std::move(*a);
  cluster_decoding d;
  d.outcome = cluster_outcome::apply;
  d.message = std::move(m);
  return d;
}

// The body of each type, as onMessage reads `data` (message.data.x on undefined or null data is a TypeError).
cluster_decoding body_of(cluster_message m, const sio::value& message) {
  const sio::value data = property(message, "data");
  const bool no_data = data.is_undefined() || data.is_null();
  switch (m.type) {
    case cluster_message_type::initial_heartbeat:
    case cluster_message_type::heartbeat:
    case cluster_message_type::adapter_close: break;  // no data read
    case cluster_message_type::broadcast: {
      if (no_data) return result(cluster_outcome::malformed, "data missing");
      cluster_broadcast b;
      b.request_id = property(data, "requestId");
      if (auto why = read_opts(data, b.target, b.matches_nothing); !why.empty())
        return result(cluster_outcome::malformed, std::move(why));
      // packet.nsp = name: a TypeError for undefined, null and (strict mode) primitives.
      const sio::value packet = property(data, "packet");
      if (!is_object_like(packet)) return result(cluster_outcome::malformed, "packet is not an object");
      // Node sends packet.type as is; the gateway encodes EVENT (2) only, as the classic decoder.
      const sio::value type = property(packet, "type");
      if (!type.is_number() || type.as_number() != packet_type_event)
        return result(cluster_outcome::malformed, "packet type is not 2 (EVENT)");
      if (b.matches_nothing && !b.with_ack()) return result(cluster_outcome::ignored, "no room can match");
      b.data = property(packet, "data");
      b.packet_has_id = !property(packet, "id").is_undefined();
      const sio::value opts_flags = property(property(data, "opts"), "flags");
      const sio::value flags = truthy(opts_flags) ? opts_flags : sio::value::object({});  // opts.flags || {}
      b.flags.volatile_ = truthy(property(flags, "volatile"));
      const sio::value compress = property(flags, "compress");
      b.flags.compress = !(compress.type() == kind::boolean && !compress.as_bool());
      b.volatile_defined = !property(opts_flags, "volatile").is_undefined();
      m.body = std::move(b);
      break;
    }
    case cluster_message_type::sockets_join:
    case cluster_message_type::sockets_leave: {
      if (no_data) return result(cluster_outcome::malformed, "data missing");
      cluster_sockets_rooms s;
      bool matches_nothing = false;
      if (auto why = read_opts(data, s.target, matches_nothing); !why.empty())
        return result(cluster_outcome::malformed, std::move(why));
      const sio::value rooms = property(data, "rooms");
      // delSockets calls rooms.forEach for each matching socket: a TypeError unless an array.
      if (m.type == cluster_message_type::sockets_leave && rooms.type() != kind::array)
        return result(cluster_outcome::malformed, "rooms is not an array");
      if (matches_nothing) return result(cluster_outcome::ignored, "no room can match");
      s.rooms = join_rooms(rooms);
      m.body = std::move(s);
      break;
    }
    case cluster_message_type::disconnect_sockets: {
      if (no_data) return result(cluster_outcome::malformed, "data missing");
      cluster_disconnect c;
      bool matches_nothing = false;
      if (auto why = read_opts(data, c.target, matches_nothing); !why.empty())
        return result(cluster_outcome::malformed, std::move(why));
      if (matches_nothing) return result(cluster_outcome::ignored, "no room can match");
      c.close = truthy(property(data, "close"));
      m.body = std::move(c);
      break;
    }
    case cluster_message_type::fetch_sockets: {
      if (no_data) return result(cluster_outcome::malformed, "data missing");
      cluster_fetch_sockets f;
      if (auto why = read_opts(data, f.target, f.matches_nothing); !why.empty())
        return result(cluster_outcome::malformed, std::move(why));
      f.request_id = property(data, "requestId");
      m.body = std::move(f);
      break;
    }
    case cluster_message_type::server_side_emit: {
      if (no_data) return result(cluster_outcome::malformed, "data missing");
      cluster_server_side_emit e;
      e.packet = property(data, "packet");
      e.request_id = property(data, "requestId");
      // [...packet, callback] / emitUntyped.apply(this, packet): only an array is a list of arguments.
      if (e.packet.type() != kind::array) return result(cluster_outcome::malformed, "packet is not an array");
      m.body = std::move(e);
      break;
    }
    case cluster_message_type::fetch_sockets_response:
    case cluster_message_type::server_side_emit_response:
    case cluster_message_type::broadcast_client_count:
    case cluster_message_type::broadcast_ack: return response_of(std::move(m), message);
  }
  cluster_decoding d;
  d.outcome = cluster_outcome::apply;
  d.message = std::move(m);
  return d;
}

// ClusterAdapter.onMessage on a decoded message.
cluster_decoding on_message(const cluster_receiver& self, const sio::value& message) {
  // message.uid on null or undefined is a TypeError; any other non-object has no uid and no nsp.
  if (message.is_null() || message.is_undefined()) return result(cluster_outcome::malformed, "message is null");
  const sio::value uid = property(message, "uid");
  if (!self.own_uid.empty() && uid.type() == kind::string && uid.as_string() == self.own_uid) return result(cluster_outcome::ignored, "own uid");
  const sio::value nsp = property(message, "nsp");
  if (nsp.type() != kind::string || nsp.as_string() != self.nsp)
    return result(cluster_outcome::ignored, nsp.is_undefined() ? "no namespace" : "another namespace");
  const auto type = message_type(property(message, "type"));
  if (!type) return result(cluster_outcome::ignored, "unknown message type");
  cluster_message m;
  m.type = *type;
  m.uid = uid;
  m.reply_to = js_string(uid);
  m.nsp = nsp.as_string();
  return body_of(std::move(m), message);
}

// onRawMessage's decoding: sharded '{' -> JSON.parse, else notepack; streams pub/sub: msgpack only.
std::optional<sio::value> decode_payload(cluster_adapter adapter, std::string_view payload, std::string& error) {
  try {
    if (adapter == cluster_adapter::sharded && !payload.empty() && payload.front() == '{') return sio::json(payload);
    return decode_msgpack(payload);
  } catch (const sio::error& e) {
    error = e.what();
    return std::nullopt;
  }
}

// JavaScript's StrWhiteSpaceChar (WhiteSpace and LineTerminator) in UTF-8: the length of the one at `s`, or 0.
std::size_t js_space(std::string_view s) {
  static constexpr std::string_view spaces[] = {
      "\t",           "\n",           "\v",           "\f",           "\r",           " ",
      "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
      "\xe3\x80\x80", "\xef\xbb\xbf"};
  for (const auto sp : spaces)
    if (s.starts_with(sp)) return sp.size();
  if (s.size() >= 3 && s[0] == '\xe2' && s[1] == '\x80' && static_cast<unsigned char>(s[2]) <= 0x8a &&
      static_cast<unsigned char>(s[2]) >= 0x80)
    return 3;  // U+2000-200A
  return 0;
}

// parseInt(s, 10): leading white space, a sign, the longest run of digits; NaN (nullopt) without a digit.
std::optional<double> parse_int10(std::string_view s) {
  while (const std::size_t n = js_space(s)) s.remove_prefix(n);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  double value = 0;
  bool any = false;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
    if (value < 1e300) value = value * 10 + (s.front() - '0');  // beyond every MessageType: saturate
    any = true;
    s.remove_prefix(1);
  }
  if (!any) return std::nullopt;
  return negative ? -value : value;
}


}  // namespace

cluster_decoding decode_cluster_message(const cluster_receiver& self, std::string_view payload) {
  std::string error;
  const auto message = decode_payload(self.adapter, payload, error);
  if (!message) return result(cluster_outcome::malformed, std::move(error));
  return on_message(self, *message);
}

cluster_decoding decode_cluster_response(const cluster_receiver& self, std::string_view payload) {
  if (self.adapter == cluster_adapter::streams) return decode_cluster_message(self, payload);
  std::string error;
  const auto message = decode_payload(self.adapter, payload, error);
  if (!message) return result(cluster_outcome::malformed, std::move(error));
  // onResponse(message): response.data.requestId before the switch on the type.
  if (message->is_null() || message->is_undefined()) return result(cluster_outcome::malformed, "message is null");
  const sio::value data = property(*message, "data");
  if (data.is_undefined() || data.is_null()) return result(cluster_outcome::malformed, "data missing");
  const auto type = message_type(property(*message, "type"));
  if (!type || !is_response_type(*type)) return result(cluster_outcome::ignored, "not a response type");
  cluster_message m;
  m.type = *type;
  m.uid = property(*message, "uid");
  m.reply_to = js_string(m.uid);
  const sio::value nsp = property(*message, "nsp");
  if (nsp.type() == kind::string) m.nsp = nsp.as_string();
  return response_of(std::move(m), *message);
}

stream_entry stream_entry_of(std::span<const std::string_view> fields) {
  stream_entry e;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const auto name = fields[i];
    const auto value = fields[i + 1];
    if (name == "uid")
      e.uid = value;
    else if (name == "nsp")
      e.nsp = value;
    else if (name == "type")
      e.type = value;
    else if (name == "data")
      e.data = value;
  }
  return e;
}

cluster_decoding decode_stream_entry(const cluster_receiver& self, const stream_entry& entry) {
  if (!entry.nsp || entry.nsp->empty()) return result(cluster_outcome::ignored, "no namespace");  // `if (message.nsp)`
  sio::value::object_type members;
  members.emplace_back("uid", entry.uid ? sio::value(*entry.uid) : sio::value::undefined());
  members.emplace_back("nsp", sio::value(*entry.nsp));
  const auto type = entry.type ? parse_int10(*entry.type) : std::nullopt;
  members.emplace_back("type", type ? sio::value(*type) : sio::value(std::nan("")));
  if (entry.data && !entry.data->empty()) {
    try {
      members.emplace_back(
          "data", entry.data->front() == '{' ? sio::json(*entry.data) : decode_msgpack(base64_decode(*entry.data)));
    } catch (const sio::error& e) {
      return result(cluster_outcome::malformed, e.what());
    }
  }
  return on_message(self, sio::value::object(std::move(members)));
}

// --- responses ----------------------------------------------------------------------------------------------------

namespace {

// Whether the sharded adapter's encode() picks notepack: a type that may carry binary, with binary in data.
bool sharded_binary(cluster_message_type type, std::span<const sio::value> data) {
  return type != cluster_message_type::broadcast_client_count && has_binary(data);
}

command response_command(const cluster_responder& from, std::string_view reply_to, std::string payload) {
  command out{from.adapter == cluster_adapter::sharded ? "SPUBLISH" : "PUBLISH",
              cluster_response_channel(from.prefix, from.nsp, reply_to), std::move(payload)};
  return out;
}

// {type, data, uid, nsp} as msgpack: notepack (sharded) or @msgpack/msgpack (streams).
std::string msgpack_message(const cluster_responder& from, cluster_message_type type, const sio::value& data) {
  std::string out;
  notepack_writer w(
      out, from.adapter == cluster_adapter::streams ? msgpack_dialect::msgpack_javascript : msgpack_dialect::notepack);
  w.map_header(4);
  w.checked_string("type");
  w.integer(static_cast<int>(type));
  w.checked_string("data");
  w.value(data);
  w.checked_string("uid");
  w.string(from.uid);
  w.checked_string("nsp");
  w.string(from.nsp);
  return out;
}

// JSON.stringify({type, data, uid, nsp}), `data_json` already written.
std::string json_message(const cluster_responder& from, cluster_message_type type, std::string_view data_json) {
  std::string out = fmt::format("{{\"type\":{},\"data\":", static_cast<int>(type));
  out += data_json;
  out += ",\"uid\":";
  write_json_string(out, from.uid);
  out += ",\"nsp\":";
  write_json_string(out, from.nsp);
  out += '}';
  return out;
}

command respond(const cluster_responder& from, std::string_view reply_to, cluster_message_type type,
                sio::value::object_type data_members) {
  std::vector<sio::value> values;
  for (const auto& m : data_members) values.push_back(m.second);
  const sio::value data = sio::value::object(std::move(data_members));
  if (from.adapter == cluster_adapter::streams || sharded_binary(type, values))
    return response_command(from, reply_to, msgpack_message(from, type, data));
  std::string data_json;
  write_json(data_json, data);
  return response_command(from, reply_to, json_message(from, type, data_json));
}

}  // namespace

command cluster_client_count_response(const cluster_responder& from, std::string_view reply_to,
                                      const sio::value& request_id, std::size_t client_count) {
  return respond(from, reply_to, cluster_message_type::broadcast_client_count,
                 {{"requestId", request_id}, {"clientCount", static_cast<double>(client_count)}});
}

command cluster_broadcast_ack_response(const cluster_responder& from, std::string_view reply_to,
                                       const sio::value& request_id, const sio::value& packet) {
  return respond(from, reply_to, cluster_message_type::broadcast_ack, {{"requestId", request_id}, {"packet", packet}});
}

command cluster_server_side_emit_response(const cluster_responder& from, std::string_view reply_to,
                                          const sio::value& request_id, const sio::value& packet) {
  return respond(from, reply_to, cluster_message_type::server_side_emit_response,
                 {{"requestId", request_id}, {"packet", packet}});
}

command cluster_fetch_sockets_response(const cluster_responder& from, std::string_view reply_to,
                                       const sio::value& request_id, const std::vector<socket_description>& sockets) {
  const auto type = cluster_message_type::fetch_sockets_response;
  const bool binary_id = has_binary(std::span<const sio::value>(&request_id, 1));
  if (from.adapter == cluster_adapter::sharded && !binary_id)  // handshake and data are JSON texts: no binary
    return response_command(from, reply_to, json_message(from, type, fetch_sockets_response(request_id, sockets)));
  sio::value::array_type list;
  list.reserve(sockets.size());
  for (const auto& s : sockets) {
    sio::value::array_type rooms(s.rooms.begin(), s.rooms.end());
    list.push_back(sio::value::object({{"id", s.id},
                                       {"handshake", sio::json(s.handshake_json)},
                                       {"rooms", std::move(rooms)},
                                       {"data", sio::json(s.data_json)}}));
  }
  return response_command(
      from, reply_to,
      msgpack_message(from, type, sio::value::object({{"requestId", request_id}, {"sockets", std::move(list)}})));
}

command stream_heartbeat(cluster_message_type type, std::string_view uid, std::string_view nsp,
                         const stream_settings& settings) {
  command out;
  out.verb = "XADD";
  out.channel = stream_name_for(nsp, settings);
  out.between = {"MAXLEN",         "~",   std::to_string(settings.max_len), "*", "uid", std::string(uid), "nsp",
                 std::string(nsp), "type"};
  out.payload = std::to_string(static_cast<int>(type));
  return out;
}

}  // namespace sio::detail
