// JSON.stringify semantics for sio::value (server-side request payloads, msgpack_to_json, to_json).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "sio/value.hpp"

namespace sio::detail {

// Appends JSON.stringify(v). Top-level undefined is written as null.
void write_json(std::string& out, const sio::value& v);
// The same, but each binary value is written by `write_binary` instead of as a Buffer's
// {"type":"Buffer","data":[...]} (socket.io-parser replaces Buffers by placeholders before stringifying).
using binary_writer = std::function<void(std::string& out, const sio::binary& bytes)>;
void write_json(std::string& out, const sio::value& v, const binary_writer& write_binary);
// Appends a quoted string with JSON.stringify escaping; throws sio::data_error(errc::invalid_utf8).
void write_json_string(std::string& out, std::string_view s);
// Appends a number as ECMAScript Number::toString does (NaN and infinities as null, -0 as 0).
void write_json_number(std::string& out, double d);

}  // namespace sio::detail
