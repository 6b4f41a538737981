#include "sio/internal/protocol/cluster_message.hpp"

namespace sio::detail {

void write_json_opts(std::string& out, const target& to, opts_flags flags) {
  out += "{\"rooms\":";
  write_json_names(out, to.rooms);
  out += ",\"except\":";
  write_json_names(out, to.except);
  out += ",\"flags\":";
  if (flags == opts_flags::of_target)
    write_json_flags(out, to);
  else
    out += "{}";
  out += '}';
}

void write_json_other_data(std::string& out, const operation& op, opts_flags flags) {
  switch (op.kind) {
    case operation_kind::sockets_join:
    case operation_kind::sockets_leave:
      out += "{\"opts\":";
      write_json_opts(out, *op.to, flags);
      out += ",\"rooms\":";
      write_json_names(out, op.rooms);
      out += '}';
      return;
    case operation_kind::disconnect_sockets:
      out += "{\"opts\":";
      write_json_opts(out, *op.to, flags);
      out += op.close ? ",\"close\":true}" : ",\"close\":false}";
      return;
    case operation_kind::server_side_emit:
      out += "{\"packet\":";
      write_json_event_data(out, op.event, op.args);
      out += '}';
      return;
    case operation_kind::broadcast:
      return;  // each adapter writes its own broadcast
  }
}

void write_server_side_emit_data(notepack_writer& w, const operation& op) {
  w.map_header(1);
  w.checked_string("packet");
  write_event_data(w, op);
}

}  // namespace sio::detail
