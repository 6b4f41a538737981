#include "operation_builder.hpp"

#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

namespace notify {
namespace {

sio::Options emitter_options(const cli_options& o) {
  sio::Options options;
  options.redis_url = o.redis_url;
  options.key = o.key;
  options.mode = o.mode;
  options.subscription = o.subscription;
  options.stream_name = o.stream_name;
  options.stream_count = o.stream_count;
  options.stream_max_len = o.stream_max_len;
  options.connect_timeout = o.timeout;
  options.command_timeout = o.timeout;
  options.request_timeout = o.timeout;  // one --timeout bounds every wait, the servers' answers included
  options.dry_run = o.dry_run;
  options.tls = o.tls;
  options.tls.verify_peer = !o.tls_insecure;
  // notify reports each failure where it happens (--stdin: per line) and retries only when asked (--retry):
  // a short-lived process must not sit on a buffer waiting for Redis to return.
  options.max_buffered_messages = 0;
  return options;
}

}  // namespace

std::vector<std::string> target_rooms(const cli_options& o) {
  std::vector<std::string> rooms;
  if (o.user) {
    // An empty id would silently target "<prefix>", a room nobody meant.
    if (o.user->empty()) throw sio::data_error(sio::errc::invalid_argument, "empty user id (--user)");
    rooms.push_back(o.room_prefix + *o.user);
  }
  rooms.insert(rooms.end(), o.rooms.begin(), o.rooms.end());
  return rooms;
}

std::vector<sio::value> event_arguments(const cli_options& o) {
  if (o.type) {
    return {make_notification(*o.type, o.payload_json, o.timestamp_ms.value_or(now_ms_since_epoch()))};
  }
  if (o.args_json_array) return sio::json_args(*o.args_json_array);
  std::vector<sio::value> arguments;
  arguments.reserve(o.arg_jsons.size());
  for (const auto& text : o.arg_jsons) arguments.push_back(sio::json(text));
  return arguments;
}

sio::BroadcastOperator targeted(const sio::Emitter& namespace_emitter, const cli_options& o) {
  sio::BroadcastOperator op = namespace_emitter.except(sio::rooms(o.except));
  const auto rooms = target_rooms(o);
  if (!rooms.empty()) op = op.to(sio::rooms(rooms));
  // volatile before compress: the flags map keeps first-set order, as in io.volatile.compress(false).
  if (o.volatile_flag) op = op.volatile_();
  if (o.no_compress) op = op.compress(false);
  return op;
}

std::int64_t now_ms_since_epoch() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

sio::value make_notification(const std::string& type, const std::optional<std::string>& payload_json,
                             std::int64_t timestamp_ms) {
  if (!payload_json) {
    return make_notification(std::string_view(type), static_cast<const sio::value*>(nullptr), timestamp_ms);
  }
  const sio::value payload = sio::json(*payload_json);
  return make_notification(std::string_view(type), &payload, timestamp_ms);
}

sio::value make_notification(std::string_view type, const sio::value* payload, std::int64_t timestamp_ms) {
  sio::value::object_type members;
  members.reserve(3);
  members.emplace_back("type", sio::value(type));
  if (payload != nullptr) members.emplace_back("payload", *payload);
  members.emplace_back("timestamp", sio::value(timestamp_ms));
  return sio::value::object(std::move(members));
}

sio::Emitter make_emitter(const cli_options& o) { return sio::Emitter(emitter_options(o)).of(o.nsp); }

sio::Published run_operation(const sio::Emitter& namespace_emitter, const cli_options& o) {
  switch (o.cmd) {
    case command::emit: {
      const std::string event = o.event.value_or("notification");
      const auto arguments = event_arguments(o);
      return targeted(namespace_emitter, o).emit_sync_args(event, arguments);
    }
    case command::join:
      return targeted(namespace_emitter, o).socketsJoin(sio::rooms(o.rooms_to_change));
    case command::leave:
      return targeted(namespace_emitter, o).socketsLeave(sio::rooms(o.rooms_to_change));
    case command::disconnect:
      return targeted(namespace_emitter, o).disconnectSockets(o.close);
    case command::server_emit:
      return namespace_emitter.serverSideEmit_args(o.event.value_or(""), event_arguments(o));
    case command::sockets:
      break;  // a request, not a publish: presence.cpp runs it
  }
  throw std::logic_error("unhandled command");
}

}  // namespace notify
