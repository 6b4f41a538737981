#include "sio/internal/protocol/request_codec.hpp"

#include <fmt/format.h>

#include "sio/internal/protocol/adapter_types.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/packet_data.hpp"
#include "sio/error.hpp"
#include "sio/internal/value/json_writer.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

namespace {

using request_type = classic_request_type;

// {"uid":...,"requestId":...,"type":N — the head of every JSON request.
std::string json_head(const request_ids& ids, request_type type) {
  std::string out = "{\"uid\":";
  write_json_string(out, ids.uid);
  out += ",\"requestId\":";
  write_json_string(out, ids.request_id);
  out += fmt::format(",\"type\":{}", static_cast<int>(type));
  return out;
}

command publish_request(std::string_view key, std::string_view nsp, std::string payload) {
  return command{"PUBLISH", request_channel(key, nsp), std::move(payload)};
}

}  // namespace

command encode_broadcast_with_ack(const operation& op, std::string_view key, const request_ids& ids,
                                  std::chrono::milliseconds wait) {
  std::string payload;
  notepack_writer w(payload);
  w.map_header(5);
  w.checked_string("uid");
  w.checked_string(ids.uid);
  w.checked_string("requestId");
  w.checked_string(ids.request_id);
  w.checked_string("type");
  w.integer(static_cast<int>(request_type::broadcast));
  w.checked_string("packet");
  write_event_packet(w, op, true);
  // The adapter's own key order: rooms, except, flags.
  w.checked_string("opts");
  w.map_header(3);
  w.checked_string("rooms");
  write_names(w, op.to->rooms);
  w.checked_string("except");
  write_names(w, op.to->except);
  w.checked_string("flags");
  w.map_header(static_cast<std::uint32_t>(op.to->flags.size() + 1));
  write_flag_members(w, *op.to);
  w.checked_string("timeout");
  w.integer(wait.count());
  return publish_request(key, op.to->nsp, std::move(payload));
}

command encode_fetch_sockets(const target& to, std::string_view key, const request_ids& ids) {
  std::string out = json_head(ids, request_type::remote_fetch);
  out += ",\"opts\":{\"rooms\":";
  write_json_names(out, to.rooms);
  out += ",\"except\":";
  write_json_names(out, to.except);
  out += "}}";
  return publish_request(key, to.nsp, std::move(out));
}

command encode_all_sockets(const target& to, std::string_view key, const request_ids& ids) {
  std::string out = json_head(ids, request_type::sockets);
  out += ",\"rooms\":";
  write_json_names(out, to.rooms);
  out += '}';
  return publish_request(key, to.nsp, std::move(out));
}

command encode_server_side_emit_with_ack(const operation& op, std::string_view key, const request_ids& ids) {
  std::string out = json_head(ids, request_type::server_side_emit);
  out += ",\"data\":";
  write_json_event_data(out, op.event, op.args);
  out += '}';
  return publish_request(key, op.to->nsp, std::move(out));
}

std::optional<response> decode_response(std::string_view payload) {
  sio::value body;
  try {
    body = !payload.empty() && payload.front() == '{' ? sio::json(payload) : decode_msgpack(payload);
  } catch (const sio::error&) {
    return std::nullopt;  // not ours to judge: other requesters' traffic shares the channel
  }
  const auto& id = member(body, "requestId");
  if (id.type() != sio::value::kind::string) return std::nullopt;
  return response{id.as_string(), std::move(body)};
}

const sio::value& member(const sio::value& object, std::string_view key) {
  static const sio::value undefined = sio::value::undefined();
  const sio::value* found = object.find(key);
  return found != nullptr ? *found : undefined;
}

}  // namespace sio::detail
