#include "sio/internal/protocol/validate.hpp"

#include <array>
#include <span>
#include <fmt/format.h>

#include "sio/error.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/utf8.hpp"

namespace sio::detail {

namespace {

// socket.io-parser refuses these names on the client: every targeted client would drop its connection.
constexpr std::array<std::string_view, 6> reserved_client_events = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

// Node's own Namespace.serverSideEmit refuses these: receivers would run their connection handlers.
constexpr std::array<std::string_view, 3> reserved_server_events = {"connect", "connection", "new_namespace"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  for (auto n : names)
    if (n == name) return true;
  return false;
}

void validate_event(std::string_view event, bool server_side) {
  if (event.empty()) throw data_error(errc::invalid_argument, "the event name must not be empty");
  require_utf8(event, "the event name");
  if (server_side ? contains(reserved_server_events, event) : contains(reserved_client_events, event))
    throw data_error(errc::reserved_event, fmt::format("\"{}\" is a reserved event name{}", event,
                                                       server_side ? " for serverSideEmit" : ""));
}

void validate_rooms(std::span<const std::string> rooms, std::string_view what) {
  for (const auto& room : rooms) {
    if (room.empty()) throw data_error(errc::invalid_argument, fmt::format("{} must not be empty", what));
    require_utf8(room, what);
  }
}

}  // namespace

void validate_target(const target& to) {
  validate_rooms(to.rooms, "a room name");
  validate_rooms(to.except, "an except room name");
}

void validate(const operation& op) {
  validate_target(*op.to);
  switch (op.kind) {
    case operation_kind::broadcast:
      validate_event(op.event, false);
      // Arguments given as msgpack are only walked here: the encoders copy them as they are.
      if (op.encoded != nullptr) check_msgpack_values(op.encoded->msgpack, op.encoded->count);
      break;
    case operation_kind::server_side_emit:
      validate_event(op.event, true);
      break;
    case operation_kind::sockets_join:
    case operation_kind::sockets_leave:
      if (op.rooms.empty()) throw data_error(errc::invalid_argument, "no room to join or leave");
      validate_rooms(op.rooms, "a room to join or leave");
      break;
    case operation_kind::disconnect_sockets:
      break;
  }
}

void validate_key(std::string_view key) {
  if (key.empty()) throw data_error(errc::invalid_argument, "the channel key must not be empty");
  require_utf8(key, "the channel key");
}

std::string normalize_namespace(std::string_view nsp) {
  require_utf8(nsp, "the namespace");
  std::string normalized;
  normalized.reserve(nsp.size() + 1);
  if (!nsp.starts_with('/')) normalized += '/';
  normalized.append(nsp);  // appended, not "/" + string: GCC 12 -O3 flags that with a false -Wrestrict
  return normalized;
}

}  // namespace sio::detail
