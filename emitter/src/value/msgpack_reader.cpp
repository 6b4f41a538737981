// msgpack bytes -> the value notepack.io's decoder gives a Node server (sio::detail::decode_msgpack), and
// sio::msgpack_to_json: that value printed with JSON.stringify.
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <msgpack.hpp>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/json_writer.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/utf8.hpp"

namespace sio {

namespace {

constexpr std::size_t max_nesting = 512;
// A JavaScript Date holds at most ±8.64e15 ms; any other time value is an Invalid Date (JSON null).
constexpr double max_date_ms = 8.64e15;
constexpr std::int8_t timestamp_type = -1;
constexpr std::int8_t legacy_type = 0;  // notepack 2: ArrayBuffer, undefined and Date

[[noreturn]] void malformed(const std::string& what) {
  throw data_error(errc::invalid_argument, "malformed msgpack: " + what);
}

std::uint32_t read_u32(const char* p) noexcept {
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(p[i]);
  return n;
}

// Two's complement: the conversion is modular since C++20.
std::int32_t read_i32(const char* p) noexcept { return static_cast<std::int32_t>(read_u32(p)); }

// new Date(ms): TimeClip makes anything non-finite or beyond ±8.64e15 an Invalid Date, and truncates the rest.
sio::date js_date(double ms) {
  if (!std::isfinite(ms) || std::fabs(ms) > max_date_ms) return sio::date{std::numeric_limits<std::int64_t>::min()};
  return sio::date{static_cast<std::int64_t>(std::trunc(ms))};
}

// The header an ext was written with: notepack's decoder treats the same type differently per header.
enum class ext_header { fixext, ext8, ext16_or_32 };

// ext.ptr points into the input at the type byte (reference_input). Before it: the fixext code (d4..d8), or an
// explicit size whose low byte, for sizes 1..16, is never d4..d8; an ext 8 has c7 just before its size byte,
// where ext 16/32 have a zero high size byte.
ext_header header_of(const msgpack::object_ext& ext) {
  const auto before = [&](int k) { return static_cast<unsigned char>(ext.ptr[-k]); };
  switch (ext.size) {
    case 1:
      if (before(1) == 0xd4) return ext_header::fixext;
      break;
    case 2:
      if (before(1) == 0xd5) return ext_header::fixext;
      break;
    case 4:
      if (before(1) == 0xd6) return ext_header::fixext;
      break;
    case 8:
      if (before(1) == 0xd7) return ext_header::fixext;
      break;
    case 16:
      if (before(1) == 0xd8) return ext_header::fixext;
      break;
    default: break;
  }
  return ext.size <= 0xff && before(2) == 0xc7 ? ext_header::ext8 : ext_header::ext16_or_32;
}

// Timestamp extension -1 as notepack 3 decodes it: d6 = 32-bit seconds; d7 = 30-bit ns + 34-bit seconds;
// c7 0c = 32-bit ns + signed 64-bit seconds. Other headers stay [type, Buffer].
std::optional<sio::date> timestamp(const msgpack::object_ext& ext, ext_header header) {
  const char* p = ext.data();
  if (header == ext_header::fixext && ext.size == 4) return js_date(read_u32(p) * 1e3);
  if (header == ext_header::fixext && ext.size == 8) {
    const std::uint32_t hi = read_u32(p);
    const double seconds = static_cast<double>(hi & 3) * 4294967296.0 + read_u32(p + 4);
    return js_date(seconds * 1e3 + (hi >> 2) / 1e6);
  }
  if (header == ext_header::ext8 && ext.size == 12) {
    const double seconds = read_i32(p + 4) * 4294967296.0 + read_u32(p + 8);
    return js_date(seconds * 1e3 + read_u32(p) / 1e6);
  }
  return std::nullopt;
}

sio::binary bytes_of(const char* p, std::size_t size) {
  const auto* first = reinterpret_cast<const std::uint8_t*>(p);  // msgpack-c hands bytes out as char
  return sio::binary(std::vector<std::uint8_t>(first, first + size));
}

// What a legacy ext 0 with an explicit size (an ArrayBuffer in Node) becomes: JSON.stringify prints an
// ArrayBuffer as {}, while socket.io-parser sends it as a binary attachment.
enum class array_buffer_as { empty_object, binary };

value from_ext(const msgpack::object_ext& ext, array_buffer_as array_buffer) {
  const ext_header header = header_of(ext);
  if (ext.type() == timestamp_type)
    if (auto d = timestamp(ext, header)) return *d;
  if (ext.type() == legacy_type) {
    if (header != ext_header::fixext)
      return array_buffer == array_buffer_as::binary ? value(bytes_of(ext.data(), ext.size)) : value::object({});
    if (ext.size == 1) return value::undefined();
    if (ext.size == 8) return js_date(read_i32(ext.data()) * 4294967296.0 + read_u32(ext.data() + 4));
  }
  return value::array_type{value(static_cast<double>(ext.type())), bytes_of(ext.data(), ext.size)};
}

value from_msgpack(const msgpack::object& o, array_buffer_as array_buffer);

// Map keys become property names as JavaScript's String(key) would spell them.
std::string property_key(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: return std::string(o.via.bin.ptr, o.via.bin.size);  // Buffer#toString: UTF-8
    case msgpack::type::NIL: return "null";
    case msgpack::type::BOOLEAN: return o.via.boolean ? "true" : "false";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: {
      const double d = from_msgpack(o, array_buffer_as::empty_object).as_number();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      std::string key;
      detail::write_json_number(key, d);  // Number::toString, as String(d) spells it
      return key;
    }
    default: throw data_error(errc::invalid_argument, "msgpack map key is an array, map or ext");
  }
}

value from_msgpack(const msgpack::object& o, array_buffer_as array_buffer) {
  switch (o.type) {
    case msgpack::type::NIL: return nullptr;
    case msgpack::type::BOOLEAN: return o.via.boolean;
    // notepack reads 64-bit integers as hi * 2^32 + lo: one rounding, the same double as this conversion.
    case msgpack::type::POSITIVE_INTEGER: return static_cast<double>(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER: return static_cast<double>(o.via.i64);
    case msgpack::type::FLOAT32:  // msgpack-c already widened it to double
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: return bytes_of(o.via.bin.ptr, o.via.bin.size);
    case msgpack::type::EXT: return from_ext(o.via.ext, array_buffer);
    case msgpack::type::ARRAY: {
      value::array_type elements;
      elements.reserve(o.via.array.size);
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) elements.push_back(from_msgpack(o.via.array.ptr[i], array_buffer));
      return elements;
    }
    case msgpack::type::MAP: {
      // Plain-object assignment: a later duplicate key wins (value::object keeps its first position), and
      // "__proto__" sets the prototype instead of a property, so it vanishes.
      value::object_type members;
      members.reserve(o.via.map.size);
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        std::string key = property_key(o.via.map.ptr[i].key);
        if (key == "__proto__") continue;
        members.emplace_back(std::move(key), from_msgpack(o.via.map.ptr[i].val, array_buffer));
      }
      return value::object(std::move(members));
    }
  }
  malformed("unknown object type");
}

// Keep str, bin and ext pointing into the input: header_of needs the byte before an ext's type.
bool reference_input(msgpack::type::object_type, std::size_t, void*) { return true; }

value decode(std::string_view bytes, array_buffer_as array_buffer) {
  // No container or string can hold more items than there are input bytes: limiting sizes to the input length
  // stops a forged header from making msgpack-c allocate gigabytes.
  const std::size_t n = bytes.size();
  const msgpack::unpack_limit limits(n, n, n, n, n, max_nesting);
  std::size_t offset = 0;
  bool referenced = false;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(bytes.data(), n, offset, referenced, reference_input, nullptr, limits);
  } catch (const msgpack::depth_size_overflow&) {
    malformed(fmt::format("nesting deeper than {}", max_nesting));
  } catch (const msgpack::insufficient_bytes&) {
    malformed("truncated input");
  } catch (const msgpack::size_overflow&) {
    malformed("truncated input (a size is larger than the input)");
  } catch (const msgpack::unpack_error& e) {
    malformed(e.what());  // "parse error" for the never-used byte c1
  }
  if (offset != n)
    throw data_error(errc::invalid_argument, fmt::format("{} trailing bytes after msgpack value", n - offset));
  return from_msgpack(handle.get(), array_buffer);
}

// check_msgpack_values' walk over msgpack-c's parser (no object built): what a receiving server decodes as a
// value, refusing the rest with the first reason.
class value_checker : public msgpack::null_visitor {
 public:
  bool visit_str(const char* v, std::uint32_t size) {
    detail::require_utf8(std::string_view(v, size), "string");  // throws what the value path throws
    return true;
  }
  bool visit_ext(const char* v, std::uint32_t size) {
    // A Date (timestamp ext, type -1) is the only ext a sio::value is written as.
    if (!key_is_string()) return false;
    if (size >= 1 && static_cast<std::int8_t>(v[0]) == timestamp_type) return true;
    return refuse("an ext other than a timestamp (a Date)");
  }
  bool start_array(std::uint32_t) { return enter(); }
  bool end_array() { return leave(); }
  bool start_map(std::uint32_t) { return enter(); }
  bool end_map() { return leave(); }
  bool start_map_key() {
    in_key_ = true;
    return true;
  }
  bool end_map_key() {
    in_key_ = false;
    return true;
  }
  bool visit_nil() { return key_is_string(); }
  bool visit_boolean(bool) { return key_is_string(); }
  bool visit_positive_integer(std::uint64_t) { return key_is_string(); }
  bool visit_negative_integer(std::int64_t) { return key_is_string(); }
  bool visit_float32(float) { return key_is_string(); }
  bool visit_float64(double) { return key_is_string(); }
  bool visit_bin(const char*, std::uint32_t) { return key_is_string(); }
  void parse_error(std::size_t, std::size_t) { refuse("malformed msgpack"); }
  void insufficient_bytes(std::size_t, std::size_t) { refuse("truncated msgpack"); }

  const std::string& why() const { return why_; }

 private:
  bool refuse(std::string why) {
    if (why_.empty()) why_ = std::move(why);
    return false;
  }
  // Keys are strings: notepack writes an object's names as str (the scalars above refuse to be keys).
  bool key_is_string() { return !in_key_ || refuse("an object key that is not a string"); }
  bool enter() {
    if (in_key_) return refuse("an object key that is not a string");
    return ++depth_ <= max_nesting || refuse(fmt::format("nesting deeper than {}", max_nesting));
  }
  bool leave() {
    --depth_;
    return true;
  }

  std::size_t depth_ = 0;
  bool in_key_ = false;
  std::string why_;
};

}  // namespace

namespace detail {

sio::value decode_msgpack(std::string_view bytes) { return decode(bytes, array_buffer_as::binary); }

void check_msgpack_values(std::string_view bytes, std::uint32_t count) {
  std::size_t offset = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    value_checker checker;
    if (offset >= bytes.size() || !msgpack::parse(bytes.data(), bytes.size(), offset, checker)) {
      const std::string why = checker.why().empty() ? std::string("truncated msgpack") : checker.why();
      throw data_error(errc::invalid_argument,
                       fmt::format("msgpack argument {} of {}: {}", i + 1, count, why));
    }
  }
  if (offset != bytes.size())
    throw data_error(errc::invalid_argument,
                     fmt::format("{} bytes after the {} msgpack arguments", bytes.size() - offset, count));
}

}  // namespace detail

value from_msgpack(std::string_view bytes) { return detail::decode_msgpack(bytes); }

std::string msgpack_to_json(std::string_view bytes) {
  std::string out;
  detail::write_json(out, decode(bytes, array_buffer_as::empty_object));
  return out;
}

}  // namespace sio
