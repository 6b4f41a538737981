#include "duration.hpp"

#include <cstdint>

namespace notify {
namespace {

constexpr std::size_t max_integer_digits = 9;  // keeps every sum below in range (and no one waits 31 years)

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  bool in_milliseconds = false;
  if (ends_with(text, "ms")) {
    in_milliseconds = true;
    text.remove_suffix(2);
  } else if (ends_with(text, "s")) {
    text.remove_suffix(1);
  }

  std::size_t pos = 0;
  std::int64_t whole = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    whole = whole * 10 + (text[pos] - '0');
    ++pos;
  }
  const std::size_t integer_digits = pos;
  if (integer_digits == 0 || integer_digits > max_integer_digits) return std::nullopt;

  std::int64_t millis = in_milliseconds ? whole : whole * 1000;
  if (pos < text.size() && text[pos] == '.') {
    if (in_milliseconds) return std::nullopt;  // sub-millisecond precision would be silently lost
    ++pos;
    const std::size_t fraction_start = pos;
    std::int64_t scale = 100;  // the first fraction digit is hundreds of milliseconds
    while (pos < text.size() && is_digit(text[pos])) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == fraction_start) return std::nullopt;  // "1." is a typo more likely than a duration
  }
  if (pos != text.size() || millis <= 0) return std::nullopt;
  return std::chrono::milliseconds{millis};
}

}  // namespace notify
