// UTF-8 validation: every string we publish must be valid UTF-8 (JavaScript strings are UTF-16, and notepack
// mangles lone surrogates), so invalid input is refused before anything is published.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sio::detail {

// The byte offset of the first invalid sequence (overlong forms, surrogates and code points above U+10FFFF
// are invalid), or nothing when `s` is valid UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view s) noexcept;

// Throws sio::data_error(errc::invalid_utf8) naming `what` ("event name", "room", ...) and the offset.
void require_utf8(std::string_view s, std::string_view what);

}  // namespace sio::detail
