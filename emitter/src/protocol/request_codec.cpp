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

// --- ClusterMessage requests (sharded and streams adapters)

command publish_main(cluster_adapter adapter, std::string_view prefix, std::string_view nsp, std::string payload) {
  command out{adapter == cluster_adapter::sharded ? "SPUBLISH" : "PUBLISH", {}, std::move(payload)};
  append_sharded_channel(out.channel, prefix, nsp);  // <prefix>#<nsp>#, the same name in both adapters
  return out;
}

bool as_msgpack(cluster_adapter adapter, const operation& op) {
  return adapter == cluster_adapter::streams || has_binary(op.args);
}

// {"type":N,"data": ... the caller writes the data object, then cluster_json_tail.
std::string cluster_json_head(cluster_message_type type) {
  return fmt::format("{{\"type\":{},\"data\":", static_cast<int>(type));
}
void cluster_json_tail(std::string& out, const request_ids& ids, std::string_view nsp) {
  out += ",\"uid\":";
  write_json_string(out, ids.uid);
  out += ",\"nsp\":";
  write_json_string(out, nsp);
  out += '}';
}
// The msgpack map of 4, {type, data, uid, nsp}: `write_data` writes the data value.
template <typename WriteData>
std::string cluster_msgpack(cluster_message_type type, const request_ids& ids, std::string_view nsp,
                            WriteData&& write_data) {
  std::string payload;
  notepack_writer w(payload);
  w.map_header(4);
  w.checked_string("type");
  w.integer(static_cast<int>(type));
  w.checked_string("data");
  write_data(w);
  w.checked_string("uid");
  w.checked_string(ids.uid);
  w.checked_string("nsp");
  w.checked_string(nsp);
  return payload;
}

// Node's opts of a broadcast with ack: the operator's flags and "timeout" last (the receivers ignore flags).
void write_json_flags_with_timeout(std::string& out, const target& to, std::chrono::milliseconds wait) {
  write_json_flags(out, to);
  out.pop_back();  // '}'
  if (!to.flags.empty()) out += ',';
  out += fmt::format("\"timeout\":{}}}", wait.count());
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

command encode_cluster_broadcast_with_ack(cluster_adapter adapter, const operation& op, std::string_view prefix,
                                          const request_ids& ids, std::chrono::milliseconds wait) {
  const auto type = cluster_message_type::broadcast;
  const auto& nsp = op.to->nsp;
  if (as_msgpack(adapter, op)) {
    return publish_main(adapter, prefix, nsp, cluster_msgpack(type, ids, nsp, [&](notepack_writer& w) {
      w.map_header(3);
      w.checked_string("packet");
      write_event_packet(w, op, false);  // a server's own packet: no nsp
      w.checked_string("requestId");
      w.checked_string(ids.request_id);
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
    }));
  }
  std::string out = cluster_json_head(type);
  out += fmt::format("{{\"packet\":{{\"type\":{},\"data\":", packet_type_event);
  write_json_event_data(out, op.event, op.args);
  out += "},\"requestId\":";
  write_json_string(out, ids.request_id);
  out += ",\"opts\":{\"rooms\":";
  write_json_names(out, op.to->rooms);
  out += ",\"except\":";
  write_json_names(out, op.to->except);
  out += ",\"flags\":";
  write_json_flags_with_timeout(out, *op.to, wait);
  out += "}}";
  cluster_json_tail(out, ids, nsp);
  return publish_main(adapter, prefix, nsp, std::move(out));
}

command encode_cluster_fetch_sockets(cluster_adapter adapter, const target& to, std::string_view prefix,
                                     const request_ids& ids) {
  const auto type = cluster_message_type::fetch_sockets;
  if (adapter == cluster_adapter::streams) {
    return publish_main(adapter, prefix, to.nsp, cluster_msgpack(type, ids, to.nsp, [&](notepack_writer& w) {
      w.map_header(2);
      w.checked_string("opts");
      w.map_header(3);
      w.checked_string("rooms");
      write_names(w, to.rooms);
      w.checked_string("except");
      write_names(w, to.except);
      w.checked_string("flags");
      w.map_header(0);
      w.checked_string("requestId");
      w.checked_string(ids.request_id);
    }));
  }
  std::string out = cluster_json_head(type);
  out += "{\"opts\":{\"rooms\":";
  write_json_names(out, to.rooms);
  out += ",\"except\":";
  write_json_names(out, to.except);
  out += ",\"flags\":{}},\"requestId\":";
  write_json_string(out, ids.request_id);
  out += '}';
  cluster_json_tail(out, ids, to.nsp);
  return publish_main(adapter, prefix, to.nsp, std::move(out));
}

command encode_cluster_server_side_emit_with_ack(cluster_adapter adapter, const operation& op,
                                                 std::string_view prefix, const request_ids& ids) {
  const auto type = cluster_message_type::server_side_emit;
  const auto& nsp = op.to->nsp;
  if (as_msgpack(adapter, op)) {
    return publish_main(adapter, prefix, nsp, cluster_msgpack(type, ids, nsp, [&](notepack_writer& w) {
      w.map_header(2);
      w.checked_string("requestId");
      w.checked_string(ids.request_id);
      w.checked_string("packet");
      write_event_data(w, op);
    }));
  }
  std::string out = cluster_json_head(type);
  out += "{\"requestId\":";
  write_json_string(out, ids.request_id);
  out += ",\"packet\":";
  write_json_event_data(out, op.event, op.args);
  out += '}';
  cluster_json_tail(out, ids, nsp);
  return publish_main(adapter, prefix, nsp, std::move(out));
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

namespace {

bool type_is(const sio::value& body, int type) {
  const auto& t = member(body, "type");
  return t.is_number() && t.as_number() == type;
}

answer classic_answer(response r) {
  answer a{std::move(r.request_id), answer_kind::other, {}};
  const auto& body = r.body;
  if (type_is(body, static_cast<int>(classic_request_type::broadcast_client_count))) {
    a.kind = answer_kind::client_count;
    a.value = member(body, "clientCount");
  } else if (type_is(body, static_cast<int>(classic_request_type::broadcast_ack))) {
    a.kind = answer_kind::client_ack;
    a.value = member(body, "packet");
  } else if (body.find("sockets") != nullptr) {  // fetchSockets (5) and sockets (0) answers carry no type
    a.kind = answer_kind::sockets;
    a.value = member(body, "sockets");
  } else if (type_is(body, static_cast<int>(classic_request_type::server_side_emit)) ||
             body.find("data") != nullptr) {
    a.kind = answer_kind::server_ack;
    a.value = member(body, "data");
  }
  return a;
}

}  // namespace

std::optional<answer> cluster_answer(const sio::value& body) {
  const auto& data = member(body, "data");
  const auto& id = member(data, "requestId");
  if (id.type() != sio::value::kind::string) return std::nullopt;
  answer a{id.as_string(), answer_kind::other, {}};
  const auto& type = member(body, "type");
  // Range-checked before the cast: a hostile 1e300 must not reach static_cast<int> (undefined behaviour).
  const double n = type.is_number() ? type.as_number() : 0;
  const int t = n >= 0 && n <= 255 && n == static_cast<double>(static_cast<int>(n)) ? static_cast<int>(n) : 0;
  switch (static_cast<cluster_message_type>(t)) {
    case cluster_message_type::broadcast_client_count:
      a.kind = answer_kind::client_count;
      a.value = member(data, "clientCount");
      break;
    case cluster_message_type::broadcast_ack:
      a.kind = answer_kind::client_ack;
      a.value = member(data, "packet");
      break;
    case cluster_message_type::fetch_sockets_response:
      a.kind = answer_kind::sockets;
      a.value = member(data, "sockets");
      break;
    case cluster_message_type::server_side_emit_response:
      a.kind = answer_kind::server_ack;
      a.value = member(data, "packet");
      break;
    default: break;
  }
  return a;
}

std::optional<answer> decode_answer(request_protocol protocol, std::string_view payload) {
  if (protocol == request_protocol::cluster) {
    sio::value body;
    try {
      body = !payload.empty() && payload.front() == '{' ? sio::json(payload) : decode_msgpack(payload);
    } catch (const sio::error&) {
      return std::nullopt;
    }
    return cluster_answer(body);
  }
  auto r = decode_response(payload);
  if (!r) return std::nullopt;
  return classic_answer(std::move(*r));
}

const sio::value& member(const sio::value& object, std::string_view key) {
  static const sio::value undefined = sio::value::undefined();
  const sio::value* found = object.find(key);
  return found != nullptr ? *found : undefined;
}

}  // namespace sio::detail
