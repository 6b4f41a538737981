#include "sio/internal/value/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>

#include "sio/internal/value/utf8.hpp"

namespace sio::detail {

namespace {

// A JavaScript Date holds at most ±8.64e15 ms; beyond that it is an Invalid Date, which JSON.stringify writes as
// null (Date.prototype.toJSON).
constexpr std::int64_t max_date_ms = 8'640'000'000'000'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct civil_date {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
civil_date civil_from_days(std::int64_t days) noexcept {
  days += 719468;
  const std::int64_t era = floor_div(days, 146097);
  const auto day_of_era = static_cast<std::uint64_t>(days - era * 146097);
  const std::uint64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::uint64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::uint64_t shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  const auto day = static_cast<unsigned>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

// Date.prototype.toISOString: years outside 0..9999 get a sign and six digits.
void write_iso_date(std::string& out, std::int64_t ms) {
  constexpr std::int64_t ms_per_day = 86'400'000;
  const std::int64_t days = floor_div(ms, ms_per_day);
  const std::int64_t ms_of_day = ms - days * ms_per_day;
  const civil_date date = civil_from_days(days);
  out += '"';
  if (date.year >= 0 && date.year <= 9999)
    fmt::format_to(std::back_inserter(out), "{:04}", date.year);
  else
    fmt::format_to(std::back_inserter(out), "{}{:06}", date.year < 0 ? '-' : '+', std::abs(date.year));
  fmt::format_to(std::back_inserter(out), "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\"", date.month, date.day,
                 ms_of_day / 3'600'000, ms_of_day / 60'000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
}

void write_buffer(std::string& out, const sio::binary& b) {
  // What JSON.stringify gives for a Node Buffer (Buffer.prototype.toJSON).
  out += R"({"type":"Buffer","data":[)";
  bool first = true;
  for (std::uint8_t byte : b.bytes) {
    if (!first) out += ',';
    first = false;
    fmt::format_to(std::back_inserter(out), "{}", byte);
  }
  out += "]}";
}

}  // namespace

void write_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  if (d == 0) {  // also -0
    out += '0';
    return;
  }
  // Shortest round-trip digits in scientific form ("-1.2345e-07"), then ECMAScript Number::toString layout.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
  const std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const std::size_t e = sci.find('e');
  std::string_view mantissa = sci.substr(0, e);
  if (mantissa.front() == '-') {
    out += '-';
    mantissa.remove_prefix(1);
  }
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  int exponent = 0;
  std::string_view exponent_text = sci.substr(e + 1);
  if (exponent_text.front() == '+') exponent_text.remove_prefix(1);
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);

  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // position of the decimal point relative to the digits
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    fmt::format_to(std::back_inserter(out), "e{}{}", n - 1 >= 0 ? '+' : '-', std::abs(n - 1));
  }
}

void write_json_string(std::string& out, std::string_view s) {
  require_utf8(s, "string");
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;  // everything else raw, including '/', U+007F and U+2028/2029
    }
  }
  out += '"';
}

namespace {

// JSON.stringify, with each binary value written by `write_binary` when given (else as a Buffer's toJSON).
void write_json_value(std::string& out, const sio::value& v, const binary_writer* write_binary) {
  using kind = sio::value::kind;
  switch (v.type()) {
    case kind::undefined:
    case kind::null: out += "null"; break;
    case kind::boolean: out += v.as_bool() ? "true" : "false"; break;
    // JavaScript only has doubles: a C++ integer prints as the double the receiver sees.
    case kind::number:
    case kind::integer:
    case kind::unsigned_integer: write_json_number(out, v.as_number()); break;
    case kind::string: write_json_string(out, v.as_string()); break;
    case kind::binary:
      if (write_binary != nullptr)
        (*write_binary)(out, v.as_binary());
      else
        write_buffer(out, v.as_binary());
      break;
    case kind::date: {
      const std::int64_t ms = v.as_date().ms_since_epoch;
      if (ms < -max_date_ms || ms > max_date_ms)
        out += "null";
      else
        write_iso_date(out, ms);
      break;
    }
    case kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : v.as_array()) {
        if (!first) out += ',';
        first = false;
        write_json_value(out, element, write_binary);  // undefined becomes null here
      }
      out += ']';
      break;
    }
    case kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : v.as_object()) {
        if (member.is_undefined()) continue;
        if (!first) out += ',';
        first = false;
        write_json_string(out, key);
        out += ':';
        write_json_value(out, member, write_binary);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

void write_json(std::string& out, const sio::value& v) { write_json_value(out, v, nullptr); }

void write_json(std::string& out, const sio::value& v, const binary_writer& write_binary) {
  write_json_value(out, v, &write_binary);
}

}  // namespace sio::detail
