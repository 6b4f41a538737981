#include "codec/packet_data.hpp"

#include "value/json_writer.hpp"

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

void write_event_data(notepack_writer& w, std::string_view event, std::span<const sio::value> args) {
  // msgpack containers hold at most 2^32-1 elements; nothing near that fits in one Redis message anyway.
  w.array_header(static_cast<std::uint32_t>(1 + args.size()));
  w.checked_string(event);
  for (const auto& arg : args) w.value(arg);
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

}  // namespace sio::detail
