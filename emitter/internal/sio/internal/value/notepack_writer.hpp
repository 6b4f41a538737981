// Writes msgpack exactly as notepack.io 3.0.1 (the codec of @socket.io/redis-emitter and the adapter) does:
// integral doubles as the smallest int form (wrapping mod 2^64 beyond), float64 otherwise, never float32,
// JavaScript key order, undefined dropped from objects, Dates as timestamp ext -1. Bytes go through msgpack-c.
// With msgpack_dialect::msgpack_javascript, as @msgpack/msgpack 2.8 does instead (see the enum).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sio/value.hpp"

namespace sio::detail {

// The two JavaScript msgpack encoders the adapters use differ only in integers beyond 2^53 and undefined members.
enum class msgpack_dialect {
  notepack,            // notepack.io 3: integral numbers as ints up to 2^64 (wrapping), undefined members dropped
  msgpack_javascript,  // @msgpack/msgpack 2.8 (the streams adapter): only safe integers (|n| < 2^53) as ints,
                       // the rest float64; undefined members written as nil
};

class notepack_writer {
 public:
  explicit notepack_writer(std::string& out, msgpack_dialect dialect = msgpack_dialect::notepack)
      : out_(out), dialect_(dialect) {}
  msgpack_dialect dialect() const noexcept { return dialect_; }

  void array_header(std::uint32_t size);
  void map_header(std::uint32_t size);
  // Throws sio::data_error(errc::invalid_utf8) for invalid UTF-8, leaving `out` unspecified.
  void string(std::string_view s);
  // A string already known to be valid UTF-8 (a literal, or checked by validate()): not checked again, since
  // the encoder writes a dozen of them per message.
  void checked_string(std::string_view s);
  // Bytes that already are msgpack (an encoder's constant frame), appended as they are.
  void raw(std::string_view msgpack) { out_.append(msgpack); }
  void boolean(bool b);
  void nil();
  void number(double d);             // JavaScript number rules (notepack)
  void integer(std::int64_t n);      // smallest form, exact
  void unsigned_integer(std::uint64_t n);
  void bytes(std::span<const std::uint8_t> b);
  void date(std::int64_t ms_since_epoch);
  void value(const sio::value& v);   // any value; top-level undefined is written as nil

 private:
  std::string& out_;
  msgpack_dialect dialect_;
};

}  // namespace sio::detail
