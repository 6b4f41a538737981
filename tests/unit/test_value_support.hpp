// Helpers shared by the test_value_*.cpp files: hex strings for exact byte checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sio/value.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio_test {

// "cf 00 01" style: lowercase, one space between bytes, as PROTOCOL.md writes them.
inline std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// Accepts hex with or without spaces.
inline std::string from_hex(std::string_view hex) {
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    i += 2;
  }
  return out;
}

// notepack bytes of a value, as hex.
inline std::string pack(const sio::value& v) {
  std::string out;
  sio::detail::notepack_writer(out).value(v);
  return to_hex(out);
}

inline std::string repeat_hex(std::string_view byte, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += ' ';
    out += byte;
  }
  return out;
}

}  // namespace sio_test
