// duration.hpp: the syntax of --timeout, --retry-delay and --deadline: "250ms", "2s", "1.5s" or a bare number of
// seconds ("1.5").
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace notify {

// Empty when `text` is not a positive duration in one of the accepted forms (whole milliseconds only).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace notify
