// The DURATION syntax of sio's programs: notify's --timeout, --retry-delay and --deadline, and sio-gateway's
// timeouts, intervals and token lifetimes read durations the same way (README: Durations).
//
//   <digits>[.<digits>][ms|s|m|h]     a bare number is seconds: 500ms, 2s, 1.5 (= 1500ms), 2m, 1h, 0.25s
//
// At most 7 integer digits (use a larger unit beyond); the value must be a whole number of milliseconds ("1.5ms" and "0.0001s" are
// refused rather than rounded); "1." and ".5" are typos, not durations.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace sio::programs {

// Empty when `text` is not a duration; zero only when `allow_zero` (e.g. "0s": a feature turned off).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, bool allow_zero = false);

}  // namespace sio::programs
