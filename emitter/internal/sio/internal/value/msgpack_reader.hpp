// msgpack bytes -> sio::value exactly as notepack.io 3.0.1's decoder gives them to a Node server (PROTOCOL.md §6.4).
#pragma once

#include <string_view>

#include "sio/value.hpp"

namespace sio::detail {

// Decodes one msgpack value; throws sio::data_error (errc::invalid_argument) for malformed input or trailing bytes.
sio::value decode_msgpack(std::string_view bytes);

}  // namespace sio::detail
