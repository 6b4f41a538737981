// JavaScript property order: what decides where an object's member goes (sio::value::object applies it).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sio::detail {

// The array index a property name denotes: the canonical decimal strings of 0 .. 2^32-2, which JavaScript puts
// before every other key, ascending.
std::optional<std::uint32_t> array_index(std::string_view key) noexcept;

}  // namespace sio::detail
