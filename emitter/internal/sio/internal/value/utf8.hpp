// UTF-8 validation: every string we publish must be valid UTF-8 (JavaScript strings are UTF-16, and notepack
// mangles lone surrogates), so invalid input is refused before anything is published.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace sio::detail {

// The byte offset of the first invalid sequence (overlong forms, surrogates and code points above U+10FFFF
// are invalid), or nothing when `s` is valid UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view s) noexcept;

// True when every byte is ASCII (then `s` is valid UTF-8). Inline and branch-free per byte: the encoder checks
// a handful of short strings per message, nearly all ASCII.
inline bool is_ascii(std::string_view s) noexcept {
  std::uint64_t high = 0;
  std::size_t i = 0;
  for (; s.size() - i >= 8; i += 8) {
    std::uint64_t block = 0;
    std::memcpy(&block, s.data() + i, sizeof block);
    high |= block;
  }
  for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

// Throws sio::data_error(errc::invalid_utf8) naming `what` ("event name", "room", ...) and the offset.
void require_utf8_slow(std::string_view s, std::string_view what);
inline void require_utf8(std::string_view s, std::string_view what) {
  if (!is_ascii(s)) require_utf8_slow(s, what);
}

}  // namespace sio::detail
