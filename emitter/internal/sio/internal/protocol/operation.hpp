// The publisher's unit of work: what a call on an Emitter or BroadcastOperator asks for, independent of how it
// is encoded (classic msgpack/JSON today; sharded and streams later) and of Redis.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/redis/command.hpp"  // what the encoders produce
#include "sio/value.hpp"

namespace sio::detail {

enum class broadcast_flag { volatile_, compress };

struct flag_setting {
  broadcast_flag flag;
  bool enabled;
};

// Who a broadcast reaches. Rooms are insertion-ordered sets; flags keep the order they were first set in,
// because the Node emitter copies its flags object with Object.assign and the key order reaches the wire.
struct target {
  std::string nsp = "/";
  std::vector<std::string> rooms{};
  std::vector<std::string> except{};
  std::vector<flag_setting> flags{};
  // How long a request to the servers waits for answers (BroadcastOperator::timeout); empty: the options'.
  std::optional<std::chrono::milliseconds> wait{};

  void add_room(std::string_view room);
  void add_except(std::string_view room);
  void set_flag(broadcast_flag flag, bool enabled);
};

enum class operation_kind { broadcast, sockets_join, sockets_leave, disconnect_sockets, server_side_emit };

struct operation {
  operation_kind kind = operation_kind::broadcast;
  const target* to = nullptr;
  std::string_view event;                 // broadcast, server_side_emit
  std::span<const sio::value> args;       // broadcast, server_side_emit
  std::span<const std::string> rooms;     // sockets_join, sockets_leave: the rooms to join or leave
  bool close = false;                     // disconnect_sockets
};

}  // namespace sio::detail
