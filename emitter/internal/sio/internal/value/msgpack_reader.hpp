// msgpack bytes -> sio::value exactly as notepack.io 3.0.1's decoder gives them to a Node server (PROTOCOL.md §6.4).
#pragma once

#include <cstdint>
#include <string_view>

#include "sio/value.hpp"

namespace sio::detail {

// Decodes one msgpack value; throws sio::data_error (errc::invalid_argument) for malformed input or trailing bytes.
sio::value decode_msgpack(std::string_view bytes);

// Checks that `bytes` are `count` msgpack values back to back that a receiving server decodes as values
// (well-formed, valid UTF-8 strings, string keys, no ext but a Date, at most 512 levels deep), walking
// them without building any. Throws sio::data_error naming the first fault: errc::invalid_utf8 for a string, as
// encoding a sio::value holding it does, errc::invalid_argument for the rest.
void check_msgpack_values(std::string_view bytes, std::uint32_t count);

}  // namespace sio::detail
