#include "sio/internal/value/notepack_writer.hpp"

#include <bit>
#include <cmath>
#include <limits>

#include <msgpack.hpp>

#include "sio/error.hpp"
#include "sio/internal/value/utf8.hpp"

namespace sio::detail {

namespace {

// msgpack::packer writes to any stream with write(const char*, size_t).
struct string_sink {
  std::string& out;
  void write(const char* data, std::size_t size) { out.append(data, size); }
};

using packer = msgpack::packer<string_sink>;

// A JavaScript Date holds at most ±8.64e15 ms; beyond that it is an Invalid Date.
constexpr std::int64_t max_date_ms = 8'640'000'000'000'000;
constexpr double two_to_64 = 18446744073709551616.0;

// Big-endian bytes of the low `size` bytes of n.
void store_big_endian(char* out, std::uint64_t n, int size) noexcept {
  for (int i = size - 1; i >= 0; --i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
}

std::uint32_t checked_size(std::size_t size, const char* what) {
  if (size > std::numeric_limits<std::uint32_t>::max())
    throw data_error(errc::invalid_argument, std::string(what) + " too large for msgpack");
  return static_cast<std::uint32_t>(size);
}

// notepack writes integers >= 2^32 or < -2^31 as two 32-bit halves, which is the value mod 2^64 (exact for any
// integral double, so 2^64 and 1e300 wrap to 0). fmod is exact; the unsigned negation wraps without UB.
std::uint64_t wrap_mod_2_64(double integral) noexcept {
  const double r = std::fmod(integral, two_to_64);  // in (-2^64, 2^64), same sign as the input
  if (r >= 0) return static_cast<std::uint64_t>(r);
  return 0 - static_cast<std::uint64_t>(-r);
}

void write_non_negative(packer& pk, std::uint64_t n) {
  // notepack always uses the unsigned forms for n >= 0 (cc for 128..255 although int16 would fit).
  if (n < 0x80)
    pk.pack_uint8(static_cast<std::uint8_t>(n));  // positive fixint
  else if (n <= 0xff)
    pk.pack_fix_uint8(static_cast<std::uint8_t>(n));
  else if (n <= 0xffff)
    pk.pack_fix_uint16(static_cast<std::uint16_t>(n));
  else if (n <= 0xffffffff)
    pk.pack_fix_uint32(static_cast<std::uint32_t>(n));
  else
    pk.pack_fix_uint64(n);
}

// Number.MAX_SAFE_INTEGER: the largest integer every smaller one of which a double holds exactly.
constexpr std::int64_t max_safe_integer = (std::int64_t{1} << 53) - 1;

bool is_safe_integer(double d) {
  return d >= -static_cast<double>(max_safe_integer) && d <= static_cast<double>(max_safe_integer);
}

void write_negative(packer& pk, std::int64_t n) {
  if (n >= -32)
    pk.pack_int8(static_cast<std::int8_t>(n));  // negative fixint
  else if (n >= -128)
    pk.pack_fix_int8(static_cast<std::int8_t>(n));
  else if (n >= -32768)
    pk.pack_fix_int16(static_cast<std::int16_t>(n));
  else if (n >= -2147483648LL)
    pk.pack_fix_int32(static_cast<std::int32_t>(n));
  else
    pk.pack_fix_int64(n);
}

void write_value(notepack_writer& w, const sio::value& v) {
  using kind = sio::value::kind;
  switch (v.type()) {
    case kind::undefined:  // reached only at top level or in arrays: nil, as notepack does
    case kind::null: w.nil(); break;
    case kind::boolean: w.boolean(v.as_bool()); break;
    case kind::number: w.number(v.as_number()); break;
    case kind::integer: w.integer(v.as_int64()); break;
    case kind::unsigned_integer: w.unsigned_integer(v.as_uint64()); break;
    case kind::string: w.string(v.as_string()); break;
    case kind::binary: w.bytes(v.as_binary().bytes); break;
    case kind::date: w.date(v.as_date().ms_since_epoch); break;
    case kind::array: {
      const auto& elements = v.as_array();
      w.array_header(checked_size(elements.size(), "array"));
      for (const auto& element : elements) write_value(w, element);
      break;
    }
    case kind::object: {
      // notepack drops members whose value is undefined, and the header counts only the written ones;
      // @msgpack/msgpack writes them as nil.
      const bool drop_undefined = w.dialect() == msgpack_dialect::notepack;
      const auto& members = v.as_object();
      std::size_t written = 0;
      for (const auto& m : members)
        if (!drop_undefined || !m.second.is_undefined()) ++written;
      w.map_header(checked_size(written, "object"));
      for (const auto& [key, member] : members) {
        if (drop_undefined && member.is_undefined()) continue;
        w.string(key);
        write_value(w, member);
      }
      break;
    }
  }
}

}  // namespace

void notepack_writer::array_header(std::uint32_t size) {
  string_sink sink{out_};
  packer{sink}.pack_array(size);
}

void notepack_writer::map_header(std::uint32_t size) {
  string_sink sink{out_};
  packer{sink}.pack_map(size);
}

void notepack_writer::string(std::string_view s) {
  require_utf8(s, "string");
  checked_string(s);
}

void notepack_writer::checked_string(std::string_view s) {
  if (s.size() > std::numeric_limits<std::uint32_t>::max())
    throw data_error(errc::invalid_argument, "String too long");  // notepack's message
  const auto size = static_cast<std::uint32_t>(s.size());
  if (size < 32) {  // fixstr, the form of nearly every key and room: one byte of header, written directly
    out_ += static_cast<char>(0xa0 | size);
    out_.append(s);
    return;
  }
  string_sink sink{out_};
  packer{sink}.pack_str(size).pack_str_body(s.data(), size);
}

void notepack_writer::boolean(bool b) {
  string_sink sink{out_};
  packer pk(sink);
  if (b)
    pk.pack_true();
  else
    pk.pack_false();
}

void notepack_writer::nil() {
  string_sink sink{out_};
  packer{sink}.pack_nil();
}

void notepack_writer::number(double d) {
  string_sink sink{out_};
  packer pk(sink);
  if (!std::isfinite(d) || std::floor(d) != d) {
    // float64, never float32; every NaN is written as JavaScript's canonical NaN (7f f8 00 ..).
    pk.pack_double(std::isnan(d) ? std::numeric_limits<double>::quiet_NaN() : d);
    return;
  }
  if (dialect_ == msgpack_dialect::msgpack_javascript && !is_safe_integer(d)) {
    // An integral float64 by hand: msgpack-c's pack_double writes integral values as ints.
    char bytes[9] = {'\xcb'};
    store_big_endian(bytes + 1, std::bit_cast<std::uint64_t>(d), 8);
    out_.append(bytes, sizeof bytes);
    return;
  }
  if (d >= 0) {  // -0 included, as in notepack
    if (d < 4294967296.0)
      write_non_negative(pk, static_cast<std::uint64_t>(d));
    else
      pk.pack_fix_uint64(wrap_mod_2_64(d));
    return;
  }
  if (d >= -2147483648.0)
    write_negative(pk, static_cast<std::int64_t>(d));
  else
    pk.pack_fix_int64(static_cast<std::int64_t>(wrap_mod_2_64(d)));  // two's complement bits of d mod 2^64
}

void notepack_writer::integer(std::int64_t n) {
  if (dialect_ == msgpack_dialect::msgpack_javascript && (n > max_safe_integer || n < -max_safe_integer)) {
    number(static_cast<double>(n));  // what the JavaScript Number holding it is written as
    return;
  }
  if (n >= 0) {
    unsigned_integer(static_cast<std::uint64_t>(n));
    return;
  }
  string_sink sink{out_};
  packer pk(sink);
  write_negative(pk, n);
}

void notepack_writer::unsigned_integer(std::uint64_t n) {
  if (dialect_ == msgpack_dialect::msgpack_javascript && n > static_cast<std::uint64_t>(max_safe_integer)) {
    number(static_cast<double>(n));
    return;
  }
  string_sink sink{out_};
  packer pk(sink);
  write_non_negative(pk, n);
}

void notepack_writer::bytes(std::span<const std::uint8_t> b) {
  const std::uint32_t size = checked_size(b.size(), "binary");
  string_sink sink{out_};
  // bin bodies are bytes; msgpack-c takes them as char.
  packer{sink}.pack_bin(size).pack_bin_body(reinterpret_cast<const char*>(b.data()), size);
}

void notepack_writer::date(std::int64_t ms_since_epoch) {
  // Timestamp extension -1 as notepack 3 writes it: s = floor(ms / 1000), ns = (ms - 1000 s) * 10^6.
  constexpr std::int8_t timestamp_type = -1;
  string_sink sink{out_};
  packer pk(sink);
  if (ms_since_epoch < -max_date_ms || ms_since_epoch > max_date_ms) {
    // An Invalid Date: NaN seconds and nanoseconds end up as zero bytes.
    const char zeros[12] = {};
    pk.pack_ext(12, timestamp_type).pack_ext_body(zeros, 12);
    return;
  }
  std::int64_t seconds = ms_since_epoch / 1000;
  if (ms_since_epoch % 1000 < 0) --seconds;
  const auto nanoseconds = static_cast<std::uint32_t>((ms_since_epoch - seconds * 1000) * 1'000'000);
  char body[12];
  if (seconds >= 0 && seconds <= (std::int64_t{1} << 34) - 1) {
    const auto s = static_cast<std::uint64_t>(seconds);
    if (nanoseconds == 0 && s <= 0xffffffff) {
      store_big_endian(body, s, 4);
      pk.pack_ext(4, timestamp_type).pack_ext_body(body, 4);
    } else {
      store_big_endian(body, (std::uint64_t{nanoseconds} << 34) | s, 8);
      pk.pack_ext(8, timestamp_type).pack_ext_body(body, 8);
    }
    return;
  }
  store_big_endian(body, nanoseconds, 4);
  store_big_endian(body + 4, static_cast<std::uint64_t>(seconds), 8);
  pk.pack_ext(12, timestamp_type).pack_ext_body(body, 12);
}

void notepack_writer::value(const sio::value& v) { write_value(*this, v); }

}  // namespace sio::detail
