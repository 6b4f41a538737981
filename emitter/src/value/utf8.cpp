#include "sio/internal/value/utf8.hpp"

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "sio/error.hpp"

namespace sio::detail {

namespace {

bool in_range(unsigned char c, unsigned char low, unsigned char high) noexcept { return c >= low && c <= high; }

// The length of the well-formed sequence starting at `i` (Unicode Table 3-7), or 0 when it is ill-formed.
// The second-byte ranges exclude overlong forms (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char lead = byte(0);
  const std::size_t available = s.size() - i;
  std::size_t length = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xbf;
  if (in_range(lead, 0xc2, 0xdf)) {
    length = 2;
  } else if (in_range(lead, 0xe0, 0xef)) {
    length = 3;
    if (lead == 0xe0) second_low = 0xa0;
    if (lead == 0xed) second_high = 0x9f;
  } else if (in_range(lead, 0xf0, 0xf4)) {
    length = 4;
    if (lead == 0xf0) second_low = 0x90;
    if (lead == 0xf4) second_high = 0x8f;
  } else {
    return 0;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (available < length || !in_range(byte(1), second_low, second_high)) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (!in_range(byte(k), 0x80, 0xbf)) return 0;
  return length;
}

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view s) noexcept {
  if (is_ascii(s)) return std::nullopt;
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = sequence_length(s, i);
    if (length == 0) return i;
    i += length;
  }
  return std::nullopt;
}

void require_utf8_slow(std::string_view s, std::string_view what) {
  if (const auto offset = find_invalid_utf8(s))
    throw data_error(errc::invalid_utf8, fmt::format("invalid UTF-8 in {} at byte {}", what, *offset));
}

}  // namespace sio::detail
