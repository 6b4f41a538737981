#include "common/duration.hpp"

#include <cstddef>
#include <cstdint>

namespace sio::programs {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, bool allow_zero) {
  struct unit {
    std::string_view suffix;
    std::int64_t millis;
  };
  static constexpr unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
  std::int64_t scale = 1000;  // a bare number is seconds
  for (const auto& u : units) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      scale = u.millis;
      text.remove_suffix(u.suffix.size());
      break;
    }
  }
  constexpr std::size_t max_integer_digits = 7;  // 9999999h is still far inside int64 milliseconds
  std::size_t pos = 0;
  std::int64_t whole = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    whole = whole * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == 0 || pos > max_integer_digits) return std::nullopt;
  std::int64_t millis = whole * scale;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t fraction_start = pos;
    std::int64_t numerator = 0;
    std::int64_t denominator = 1;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && denominator < 1'000'000) {
      numerator = numerator * 10 + (text[pos] - '0');
      denominator *= 10;
      ++pos;
    }
    if (pos == fraction_start) return std::nullopt;  // "1." is a typo more likely than a duration
    if ((numerator * scale) % denominator != 0) return std::nullopt;  // finer than a millisecond
    millis += numerator * scale / denominator;
  }
  if (pos != text.size()) return std::nullopt;
  if (millis == 0 && !allow_zero) return std::nullopt;
  return std::chrono::milliseconds{millis};
}

}  // namespace sio::programs
