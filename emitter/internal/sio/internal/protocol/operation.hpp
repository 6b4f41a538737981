// The publisher's unit of work: what a call on an Emitter or BroadcastOperator asks for, independent of how it
// is encoded (classic msgpack/JSON today; sharded and streams later) and of Redis.
#pragma once

#include <chrono>
#include <cstdint>
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

// Arguments a caller already wrote as msgpack, without sio::values (notify --stdin transcodes a line's JSON
// straight into msgpack: sio/internal/value/json_reader.hpp, read_json_members). `msgpack` is `count` values back
// to back, exactly as notepack_writer::value writes them in either dialect: no integral number beyond 2^53, no
// undefined (the two JavaScript encoders differ only there); checked by validate(). Only for the classic
// adapter's broadcast, always msgpack: the facade gives the others values (their JSON-or-msgpack choice is by the
// values, hasBinary).
struct encoded_arguments {
  std::string_view msgpack;
  std::uint32_t count = 0;
};

struct operation {
  operation_kind kind = operation_kind::broadcast;
  const target* to = nullptr;
  std::string_view event;                 // broadcast, server_side_emit
  std::span<const sio::value> args;       // broadcast, server_side_emit
  const encoded_arguments* encoded = nullptr;  // broadcast: the arguments, in place of `args`
  std::span<const std::string> rooms;     // sockets_join, sockets_leave: the rooms to join or leave
  bool close = false;                     // disconnect_sockets
};

}  // namespace sio::detail
