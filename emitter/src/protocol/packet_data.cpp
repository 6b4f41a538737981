#include "sio/internal/protocol/packet_data.hpp"

#include "sio/internal/value/json_writer.hpp"

namespace sio::detail {

void write_json_event_data(std::string& out, std::string_view event, std::span<const sio::value> args) {
  out += '[';
  write_json_string(out, event);
  for (const auto& arg : args) {
    out += ',';
    write_json(out, arg);
  }
  out += ']';
}

void write_event_data(notepack_writer& w, const operation& op) {
  // msgpack containers hold at most 2^32-1 elements; nothing near that fits in one Redis message anyway.
  const std::size_t count = op.encoded != nullptr ? op.encoded->count : op.args.size();
  w.array_header(static_cast<std::uint32_t>(1 + count));
  w.checked_string(op.event);
  if (op.encoded != nullptr) {
    w.raw(op.encoded->msgpack);
    return;
  }
  for (const auto& arg : op.args) w.value(arg);
}

void write_json_names(std::string& out, std::span<const std::string> names) {
  out += '[';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += ',';
    write_json_string(out, names[i]);
  }
  out += ']';
}

void write_names(notepack_writer& w, std::span<const std::string> names) {
  w.array_header(static_cast<std::uint32_t>(names.size()));
  for (const auto& name : names) w.checked_string(name);
}

void write_event_packet(notepack_writer& w, const operation& op, bool with_nsp) {
  w.map_header(with_nsp ? 3 : 2);
  w.checked_string("type");
  w.unsigned_integer(packet_type_event);
  w.checked_string("data");
  write_event_data(w, op);
  if (!with_nsp) return;
  w.checked_string("nsp");
  w.checked_string(op.to->nsp);
}

void write_json_flags(std::string& out, const target& to) {
  out += '{';
  for (std::size_t i = 0; i < to.flags.size(); ++i) {
    if (i != 0) out += ',';
    out += to.flags[i].flag == broadcast_flag::volatile_ ? "\"volatile\":" : "\"compress\":";
    out += to.flags[i].enabled ? "true" : "false";
  }
  out += '}';
}

void write_flag_members(notepack_writer& w, const target& to) {
  for (const auto& setting : to.flags) {
    w.checked_string(setting.flag == broadcast_flag::volatile_ ? "volatile" : "compress");
    w.boolean(setting.enabled);
  }
}

namespace {

bool value_has_binary(const sio::value& v) {
  switch (v.type()) {
    case sio::value::kind::binary: return true;
    case sio::value::kind::array: return has_binary(v.as_array());
    case sio::value::kind::object:
      for (const auto& member : v.as_object())
        if (value_has_binary(member.second)) return true;
      return false;
    default: return false;
  }
}

}  // namespace

bool has_binary(std::span<const sio::value> values) {
  for (const auto& v : values)
    if (value_has_binary(v)) return true;
  return false;
}

}  // namespace sio::detail
