#include "sio/internal/protocol/sharded_codec.hpp"

#include <fmt/format.h>

#include "sio/internal/protocol/cluster_message.hpp"
#include "sio/internal/protocol/packet_data.hpp"
#include "sio/internal/value/json_writer.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

namespace {

void write_json_data(std::string& out, const operation& op) {
  if (op.kind != operation_kind::broadcast) {
    write_json_other_data(out, op, opts_flags::of_target);
    return;
  }
  out += fmt::format("{{\"packet\":{{\"type\":{},\"data\":", packet_type_event);
  write_json_event_data(out, op.event, op.args);
  out += "},\"opts\":";
  write_json_opts(out, *op.to, opts_flags::of_target);
  out += '}';
}

void write_opts(notepack_writer& w, const target& to) {
  w.map_header(3);
  w.checked_string("rooms");
  write_names(w, to.rooms);
  w.checked_string("except");
  write_names(w, to.except);
  w.checked_string("flags");
  w.map_header(static_cast<std::uint32_t>(to.flags.size()));
  write_flag_members(w, to);
}

// Only broadcasts and server-side emits carry arguments, hence binary.
void write_msgpack_data(notepack_writer& w, const operation& op) {
  if (op.kind == operation_kind::server_side_emit) {
    write_server_side_emit_data(w, op);
    return;
  }
  w.map_header(2);
  w.checked_string("packet");
  write_event_packet(w, op, false);  // a server's own packet: no nsp
  w.checked_string("opts");
  write_opts(w, *op.to);
}

}  // namespace

void sharded_channel(std::string& out, const operation& op, std::string_view prefix, subscription_mode mode) {
  const bool own_channel = op.kind == operation_kind::broadcast && op.to->rooms.size() == 1 &&
                           sharded_room_has_channel(op.to->rooms.front(), mode);
  append_sharded_channel(out, prefix, op.to->nsp, own_channel ? &op.to->rooms.front() : nullptr);
}

void encode_sharded(const operation& op, std::string_view prefix, subscription_mode mode, std::string_view uid,
                    command& out) {
  out.verb = "SPUBLISH";
  out.between.clear();
  out.channel.clear();
  out.payload.clear();
  sharded_channel(out.channel, op, prefix, mode);
  const auto type = static_cast<int>(cluster_message_type_of(op.kind));
  if (cluster_message_needs_msgpack(op)) {
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
