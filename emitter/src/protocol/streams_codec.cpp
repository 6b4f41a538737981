#include "sio/internal/protocol/streams_codec.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "sio/internal/protocol/base64.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/classic_codec.hpp"
#include "sio/internal/protocol/cluster_message.hpp"
#include "sio/internal/protocol/packet_data.hpp"
#include "sio/internal/value/json_writer.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

namespace {

// The streams emitter's data objects: broadcasts {packet: {type, data, nsp}, opts: {rooms, flags, except}}; the
// others as cluster_message.hpp writes them, with opts.flags {}.
void write_json_data(std::string& out, const operation& op) {
  if (op.kind != operation_kind::broadcast) {
    write_json_other_data(out, op, opts_flags::empty);
    return;
  }
  const target& to = *op.to;
  out += fmt::format("{{\"packet\":{{\"type\":{},\"data\":", packet_type_event);
  write_json_event_data(out, op.event, op.args);
  out += ",\"nsp\":";
  write_json_string(out, to.nsp);
  out += "},\"opts\":{\"rooms\":";
  write_json_names(out, to.rooms);
  out += ",\"flags\":";
  write_json_flags(out, to);
  out += ",\"except\":";
  write_json_names(out, to.except);
  out += "}}";
}

// The same objects in @msgpack/msgpack's encoding; only broadcasts and server-side emits carry binary.
void write_msgpack_data(notepack_writer& w, const operation& op) {
  if (op.kind == operation_kind::server_side_emit) {
    write_server_side_emit_data(w, op);
    return;
  }
  const target& to = *op.to;
  w.map_header(2);
  w.checked_string("packet");
  write_event_packet(w, op, true);
  w.checked_string("opts");
  w.map_header(3);
  w.checked_string("rooms");
  write_names(w, to.rooms);
  w.checked_string("flags");
  w.map_header(static_cast<std::uint32_t>(to.flags.size()));
  write_flag_members(w, to);
  w.checked_string("except");
  write_names(w, to.except);
}


}  // namespace

std::string encode_stream_data(const operation& op) {
  std::string data;
  if (cluster_message_needs_msgpack(op)) {
    std::string packed;
    notepack_writer w(packed, msgpack_dialect::msgpack_javascript);
    write_msgpack_data(w, op);
    return base64_encode(packed);
  }
  write_json_data(data, op);
  return data;
}

void encode_streams(const operation& op, const stream_settings& settings, command& out) {
  out.verb = "XADD";
  out.channel = stream_name_for(op.to->nsp, settings);
  out.between = {"MAXLEN", "~", std::to_string(settings.max_len), "*", "uid", std::string(emitter_uid), "nsp",
                 op.to->nsp, "type", std::to_string(static_cast<int>(cluster_message_type_of(op.kind))), "data"};
  out.payload = encode_stream_data(op);
}

command encode_streams(const operation& op, const stream_settings& settings) {
  command out;
  encode_streams(op, settings, out);
  return out;
}

}  // namespace sio::detail
