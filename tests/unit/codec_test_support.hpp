// Helpers the codec tests share for building operations the way the facade does.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/protocol/operation.hpp"

namespace sio_test {

inline sio::detail::target to_rooms(const std::vector<std::string>& rooms, const std::vector<std::string>& except = {}) {
  sio::detail::target t;
  for (const auto& r : rooms) t.add_room(r);
  for (const auto& r : except) t.add_except(r);
  return t;
}

// An operation on `t`; `args` and `rooms` must outlive it (operations hold views).
inline sio::detail::operation make_operation(sio::detail::operation_kind kind, const sio::detail::target& t,
                                             std::string_view event = {}, const std::vector<sio::value>& args = {},
                                             const std::vector<std::string>& rooms = {}) {
  sio::detail::operation op;
  op.kind = kind;
  op.to = &t;
  op.event = event;
  op.args = args;
  op.rooms = rooms;
  return op;
}

inline sio::value bytes_of(std::initializer_list<std::uint8_t> bytes) {
  return sio::binary(std::vector<std::uint8_t>(bytes));
}

}  // namespace sio_test
