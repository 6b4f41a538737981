#include "sio/internal/protocol/classic_codec.hpp"

#include <cstdint>
#include <string_view>
#include <fmt/format.h>

#include "sio/internal/protocol/adapter_types.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/packet_data.hpp"
#include "sio/internal/value/json_writer.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

namespace {

std::uint32_t count(std::size_t n) {
  // msgpack containers hold at most 2^32-1 elements; nothing near that fits in one Redis message anyway.
  return static_cast<std::uint32_t>(n);
}

// The constant parts of a broadcast, pre-encoded (checked against PROTOCOL.md's vectors by the unit tests). The
// literals are split after each \x escape so that a following letter is not read as another hex digit.
using namespace std::string_view_literals;
// [3: "emitter", {3: "type": 2, "data":
constexpr auto broadcast_head = "\x93\xa7" "emitter" "\x83\xa4" "type" "\x02\xa4" "data"sv;
static_assert(broadcast_head.substr(2, 7) == emitter_uid);
constexpr auto nsp_key = "\xa3" "nsp"sv;
// {3: "rooms":
constexpr auto opts_head = "\x83\xa5" "rooms"sv;
constexpr auto flags_key = "\xa5" "flags"sv;
constexpr auto except_key = "\xa6" "except"sv;

// ["emitter", {type, data, nsp}, {rooms, flags, except}] with the emitter's key order.
void encode_broadcast(std::string& out, const operation& op) {
  notepack_writer w(out);
  w.raw(broadcast_head);
  write_event_data(w, op);
  w.raw(nsp_key);
  w.checked_string(op.to->nsp);

  w.raw(opts_head);
  write_names(w, op.to->rooms);
  w.raw(flags_key);
  w.map_header(count(op.to->flags.size()));
  write_flag_members(w, *op.to);
  w.raw(except_key);
  write_names(w, op.to->except);
}

// {"type":N,"opts":{"rooms":[...],"except":[...]}, then the request's own fields.
void append_request_head(std::string& out, classic_request_type type, const target& to) {
  out += fmt::format("{{\"type\":{},\"opts\":{{\"rooms\":", static_cast<int>(type));
  write_json_names(out, to.rooms);
  out += ",\"except\":";
  write_json_names(out, to.except);
  out += "}";
}

void encode_request(std::string& out, const operation& op) {
  switch (op.kind) {
    case operation_kind::sockets_join:
    case operation_kind::sockets_leave:
      append_request_head(out, op.kind == operation_kind::sockets_join ? classic_request_type::remote_join
                                                                       : classic_request_type::remote_leave,
                          *op.to);
      out += ",\"rooms\":";
      write_json_names(out, op.rooms);
      out += '}';
      break;
    case operation_kind::disconnect_sockets:
      append_request_head(out, classic_request_type::remote_disconnect, *op.to);
      out += op.close ? ",\"close\":true}" : ",\"close\":false}";
      break;
    case operation_kind::server_side_emit:
      // Not scoped by rooms: it reaches every server's namespace listeners.
      out += fmt::format("{{\"uid\":\"{}\",\"type\":{},\"data\":", emitter_uid,
                         static_cast<int>(classic_request_type::server_side_emit));
      write_json_event_data(out, op.event, op.args);
      out += '}';
      break;
    case operation_kind::broadcast:
      break;  // not a request
  }
}

}  // namespace

void encode_classic(const operation& op, std::string_view key, command& out) {
  out.verb = "PUBLISH";  // fits the small-string buffer: no allocation
  out.between.clear();
  out.channel.clear();
  out.payload.clear();
  if (op.kind == operation_kind::broadcast) {
    // Exactly one room gets its own channel as a pre-filter for the receivers; 0 or 2+ rooms use the base channel
    // and the receivers filter on opts.rooms.
    append_classic_broadcast_channel(out.channel, key, op.to->nsp,
                                     op.to->rooms.size() == 1 ? &op.to->rooms.front() : nullptr);
    encode_broadcast(out.payload, op);
  } else {
    append_classic_request_channel(out.channel, key, op.to->nsp);
    encode_request(out.payload, op);
  }
}

command encode_classic(const operation& op, std::string_view key) {
  command out;
  encode_classic(op, key, out);
  return out;
}

}  // namespace sio::detail
