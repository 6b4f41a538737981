// The few JavaScript rules the Node adapters apply to decoded messages, for sio::value (the receiving side).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/value.hpp"

namespace sio::detail {

// Boolean(v): false, 0, NaN, "", null and undefined are falsy.
bool truthy(const sio::value& v);

// obj[key] for a plain object; undefined when `v` is not an object or has no such key.
sio::value property(const sio::value& v, std::string_view key);

// new Set(v) restricted to what can name a room: undefined/null -> empty; an array -> its elements; a string ->
// its characters (a Set of a string iterates it). Rooms are compared by identity, so non-string elements can
// never match a room: they are counted in `matchless`. nullopt when `new Set(v)` would throw (a number, an object).
struct room_set {
  std::vector<std::string> names;  // strings, duplicates removed, first-seen order
  bool matchless = false;          // some element was not a string
  bool empty() const noexcept { return names.empty() && !matchless; }
};
std::optional<room_set> to_room_set(const sio::value& v);

}  // namespace sio::detail
