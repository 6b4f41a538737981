// Base64 as the streams adapter uses it (Buffer#toString("base64") and Buffer.from(s, "base64")): entry data with
// binary, and the recovery sessions it stores. One home for both directions.
#pragma once

#include <string>
#include <string_view>

namespace sio::detail {

// The standard alphabet with padding, as Buffer#toString("base64").
std::string base64_encode(std::string_view bytes);
// Buffer.from(s, "base64"): both alphabets, other characters skipped, '=' ends the input, a trailing partial group
// gives the whole bytes it holds. Never throws.
std::string base64_decode(std::string_view text);

}  // namespace sio::detail
