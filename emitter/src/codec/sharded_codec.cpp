#include "codec/sharded_codec.hpp"

#include <fmt/format.h>

#include "codec/packet_data.hpp"
#include "value/json_writer.hpp"
#include "value/notepack_writer.hpp"

namespace sio::detail {

namespace {

// socket.io-adapter's MessageType values for what a publisher sends.
enum class message_type : int {
  broadcast = 3,
  sockets_join = 4,
  sockets_leave = 5,
  disconnect_sockets = 6,
  server_side_emit = 9,
};

message_type type_of(const operation& op) {
  switch (op.kind) {
    case operation_kind::broadcast: return message_type::broadcast;
    case operation_kind::sockets_join: return message_type::sockets_join;
    case operation_kind::sockets_leave: return message_type::sockets_leave;
    case operation_kind::disconnect_sockets: return message_type::disconnect_sockets;
    case operation_kind::server_side_emit: return message_type::server_side_emit;
  }
  return message_type::broadcast;
}

bool has_binary(const sio::value& v) {
  switch (v.type()) {
    case sio::value::kind::binary: return true;
    case sio::value::kind::array:
      for (const auto& element : v.as_array())
        if (has_binary(element)) return true;
      return false;
    case sio::value::kind::object:
      for (const auto& [name, member] : v.as_object())
        if (has_binary(member)) return true;
      return false;
    default: return false;
  }
}

// The adapter encodes with notepack only when a message that may carry binary does (its encode()).
bool needs_msgpack(const operation& op) {
  if (op.kind != operation_kind::broadcast && op.kind != operation_kind::server_side_emit) return false;
  for (const auto& arg : op.args)
    if (has_binary(arg)) return true;
  return false;
}

// A room that "looks like a socket id" to the adapter: a JavaScript string of length 20 (UTF-16 units).
bool looks_like_a_socket_id(std::string_view room) {
  std::size_t units = 0;
  for (const char c : room) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xc0) == 0x80) continue;  // a continuation byte: counted with its lead byte
    units += byte >= 0xf0 ? 2 : 1;        // 4-byte sequences are surrogate pairs in UTF-16
  }
  return units == 20;
}

void write_json_flags(std::string& out, const target& to) {
  out += '{';
  bool first = true;
  for (const auto& setting : to.flags) {
    if (!first) out += ',';
    first = false;
    out += setting.flag == broadcast_flag::volatile_ ? "\"volatile\":" : "\"compress\":";
    out += setting.enabled ? "true" : "false";
  }
  out += '}';
}

// encodeOptions(): {rooms, except, flags}.
void write_json_opts(std::string& out, const target& to) {
  out += "{\"rooms\":";
  write_json_names(out, to.rooms);
  out += ",\"except\":";
  write_json_names(out, to.except);
  out += ",\"flags\":";
  write_json_flags(out, to);
  out += '}';
}

void write_json_data(std::string& out, const operation& op) {
  switch (op.kind) {
    case operation_kind::broadcast:
      out += fmt::format("{{\"packet\":{{\"type\":{},\"data\":", packet_type_event);
      write_json_event_data(out, op.event, op.args);
      out += "},\"opts\":";
      write_json_opts(out, *op.to);
      out += '}';
      break;
    case operation_kind::sockets_join:
    case operation_kind::sockets_leave:
      out += "{\"opts\":";
      write_json_opts(out, *op.to);
      out += ",\"rooms\":";
      write_json_names(out, op.rooms);
      out += '}';
      break;
    case operation_kind::disconnect_sockets:
      out += "{\"opts\":";
      write_json_opts(out, *op.to);
      out += op.close ? ",\"close\":true}" : ",\"close\":false}";
      break;
    case operation_kind::server_side_emit:
      out += "{\"packet\":";
      write_json_event_data(out, op.event, op.args);
      out += '}';
      break;
  }
}

void write_opts(notepack_writer& w, const target& to) {
  w.map_header(3);
  w.checked_string("rooms");
  write_names(w, to.rooms);
  w.checked_string("except");
  write_names(w, to.except);
  w.checked_string("flags");
  w.map_header(static_cast<std::uint32_t>(to.flags.size()));
  for (const auto& setting : to.flags) {
    w.checked_string(setting.flag == broadcast_flag::volatile_ ? "volatile" : "compress");
    w.boolean(setting.enabled);
  }
}

// Only broadcasts and server-side emits carry arguments, hence binary.
void write_msgpack_data(notepack_writer& w, const operation& op) {
  if (op.kind == operation_kind::server_side_emit) {
    w.map_header(1);
    w.checked_string("packet");
    write_event_data(w, op.event, op.args);
    return;
  }
  w.map_header(2);
  w.checked_string("packet");
  w.map_header(2);
  w.checked_string("type");
  w.unsigned_integer(packet_type_event);
  w.checked_string("data");
  write_event_data(w, op.event, op.args);
  w.checked_string("opts");
  write_opts(w, *op.to);
}

}  // namespace

void sharded_channel(std::string& out, const operation& op, std::string_view prefix, subscription_mode mode) {
  out.append(prefix).append("#").append(op.to->nsp).append("#");
  if (op.kind != operation_kind::broadcast || op.to->rooms.size() != 1) return;
  const auto& room = op.to->rooms.front();
  const bool subscribed = mode == subscription_mode::dynamic_private ||
                          (mode == subscription_mode::dynamic && !looks_like_a_socket_id(room));
  if (subscribed) out.append(room).append("#");
}

void encode_sharded(const operation& op, std::string_view prefix, subscription_mode mode, std::string_view uid,
                    command& out) {
  out.verb = "SPUBLISH";
  out.channel.clear();
  out.payload.clear();
  sharded_channel(out.channel, op, prefix, mode);
  const auto type = static_cast<int>(type_of(op));
  if (needs_msgpack(op)) {
    notepack_writer w(out.payload);
    w.map_header(4);
    w.checked_string("type");
    w.integer(type);
    w.checked_string("data");
    write_msgpack_data(w, op);
    w.checked_string("uid");
    w.string(uid);
    w.checked_string("nsp");
    w.checked_string(op.to->nsp);
    return;
  }
  out.payload = fmt::format("{{\"type\":{},\"data\":", type);
  write_json_data(out.payload, op);
  out.payload += ",\"uid\":";
  write_json_string(out.payload, uid);
  out.payload += ",\"nsp\":";
  write_json_string(out.payload, op.to->nsp);
  out.payload += '}';
}

command encode_sharded(const operation& op, std::string_view prefix, subscription_mode mode, std::string_view uid) {
  command out;
  encode_sharded(op, prefix, mode, uid, out);
  return out;
}

}  // namespace sio::detail
