#include "sio/value.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "sio/error.hpp"
#include "sio/internal/value/js_object.hpp"
#include "sio/internal/value/json_writer.hpp"

namespace sio {

namespace {

const char* kind_name(value::kind k) noexcept {
  switch (k) {
    case value::kind::undefined: return "undefined";
    case value::kind::null: return "null";
    case value::kind::boolean: return "boolean";
    case value::kind::number: return "number";
    case value::kind::integer: return "integer";
    case value::kind::unsigned_integer: return "unsigned integer";
    case value::kind::string: return "string";
    case value::kind::binary: return "binary";
    case value::kind::date: return "date";
    case value::kind::array: return "array";
    case value::kind::object: return "object";
  }
  return "unknown";
}

[[noreturn]] void throw_wrong_kind(const char* expected, value::kind actual) {
  throw data_error(errc::invalid_argument, fmt::format("expected {}, got {}", expected, kind_name(actual)));
}

// Numbers of different kinds are equal when they denote the same mathematical value.
bool numbers_equal(const value& a, const value& b) {
  using k = value::kind;
  const auto exact_int = [](double d, std::int64_t& out) {
    // 2^63 is exactly representable; anything below it in magnitude converts without UB.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d) return false;
    out = static_cast<std::int64_t>(d);
    return true;
  };
  const auto exact_uint = [](double d, std::uint64_t& out) {
    if (!(d >= 0.0 && d < 18446744073709551616.0) || std::trunc(d) != d) return false;
    out = static_cast<std::uint64_t>(d);
    return true;
  };
  if (a.type() == k::number && b.type() == k::number) return a.as_number() == b.as_number();
  if (a.type() == k::number || b.type() == k::number) {
    const value& d = a.type() == k::number ? a : b;
    const value& n = a.type() == k::number ? b : a;
    if (n.type() == k::integer) {
      std::int64_t i = 0;
      return exact_int(d.as_number(), i) && i == n.as_int64();
    }
    std::uint64_t u = 0;
    return exact_uint(d.as_number(), u) && u == n.as_uint64();
  }
  // integer and/or unsigned_integer
  const bool a_negative = a.type() == k::integer && a.as_int64() < 0;
  const bool b_negative = b.type() == k::integer && b.as_int64() < 0;
  if (a_negative || b_negative) return a_negative && b_negative && a.as_int64() == b.as_int64();
  return a.as_uint64() == b.as_uint64();
}

}  // namespace

const value* value::find(std::string_view key) const noexcept {
  if (type() != kind::object) return nullptr;
  for (const auto& [name, v] : as_object())
    if (name == key) return &v;
  return nullptr;
}

value value::object(object_type members) {
  // Deduplicate first: a repeated key keeps the position of its first occurrence and takes the last value.
  // Notifications have a handful of keys: a linear scan beats hashing them (this runs once per emit).
  constexpr std::size_t linear_scan_limit = 16;
  const bool few = members.size() <= linear_scan_limit;
  bool duplicates = false;
  if (few) {
    for (std::size_t i = 1; i < members.size() && !duplicates; ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (members[i].first == members[j].first) {
          duplicates = true;
          break;
        }
  }
  object_type unique;
  if (few && !duplicates) {
    unique = std::move(members);
  } else {
    unique.reserve(members.size());
    std::unordered_map<std::string, std::size_t> position;
    position.reserve(members.size());
    for (auto& [key, v] : members) {
      auto [it, inserted] = position.try_emplace(key, unique.size());
      if (inserted)
        unique.emplace_back(std::move(key), std::move(v));
      else
        unique[it->second].second = std::move(v);
    }
  }
  // Then JavaScript property order: array-index keys ascending, the other keys in insertion order (most objects
  // have no index key, and then nothing moves).
  using detail::array_index;
  const auto is_index = [](const member& m) { return array_index(m.first).has_value(); };
  if (std::any_of(unique.begin(), unique.end(), is_index)) {
    const auto index_end = std::stable_partition(unique.begin(), unique.end(), is_index);
    std::sort(unique.begin(), index_end,
              [](const member& x, const member& y) { return *array_index(x.first) < *array_index(y.first); });
  }
  return value(std::make_shared<const object_type>(std::move(unique)));
}

value value::undefined() noexcept { return value(undefined_init{}); }

bool value::as_bool() const {
  if (const auto* b = std::get_if<bool>(&data_)) return *b;
  throw_wrong_kind("boolean", type());
}

double value::as_number() const {
  switch (type()) {
    case kind::number: return std::get<double>(data_);
    case kind::integer: return static_cast<double>(std::get<std::int64_t>(data_));
    case kind::unsigned_integer: return static_cast<double>(std::get<std::uint64_t>(data_));
    default: throw_wrong_kind("number", type());
  }
}

std::int64_t value::as_int64() const {
  switch (type()) {
    case kind::integer: return std::get<std::int64_t>(data_);
    case kind::unsigned_integer: {
      const std::uint64_t u = std::get<std::uint64_t>(data_);
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw data_error(errc::invalid_argument, fmt::format("expected int64, got unsigned integer {}", u));
      return static_cast<std::int64_t>(u);
    }
    case kind::number: {
      // JSON numbers are doubles: accept the integral ones that fit.
      const double d = std::get<double>(data_);
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d)
        throw data_error(errc::invalid_argument, fmt::format("expected int64, got number {}", d));
      return static_cast<std::int64_t>(d);
    }
    default: throw_wrong_kind("int64", type());
  }
}

std::uint64_t value::as_uint64() const {
  switch (type()) {
    case kind::unsigned_integer: return std::get<std::uint64_t>(data_);
    case kind::integer: {
      const std::int64_t i = std::get<std::int64_t>(data_);
      if (i < 0) throw data_error(errc::invalid_argument, fmt::format("expected uint64, got integer {}", i));
      return static_cast<std::uint64_t>(i);
    }
    case kind::number: {
      const double d = std::get<double>(data_);
      if (!(d >= 0.0 && d < 18446744073709551616.0) || std::trunc(d) != d)
        throw data_error(errc::invalid_argument, fmt::format("expected uint64, got number {}", d));
      return static_cast<std::uint64_t>(d);
    }
    default: throw_wrong_kind("uint64", type());
  }
}

const std::string& value::as_string() const {
  if (const auto* s = std::get_if<std::string>(&data_)) return *s;
  throw_wrong_kind("string", type());
}

const sio::binary& value::as_binary() const {
  if (const auto* b = std::get_if<sio::binary>(&data_)) return *b;
  throw_wrong_kind("binary", type());
}

sio::date value::as_date() const {
  if (const auto* d = std::get_if<sio::date>(&data_)) return *d;
  throw_wrong_kind("date", type());
}

const value::array_type& value::as_array() const {
  if (const auto* a = std::get_if<std::shared_ptr<const array_type>>(&data_)) return **a;
  throw_wrong_kind("array", type());
}

const value::object_type& value::as_object() const {
  if (const auto* o = std::get_if<std::shared_ptr<const object_type>>(&data_)) return **o;
  throw_wrong_kind("object", type());
}

bool operator==(const value& a, const value& b) {
  if (a.is_number() && b.is_number()) return numbers_equal(a, b);
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case value::kind::array: return a.as_array() == b.as_array();
    case value::kind::object: return a.as_object() == b.as_object();
    default: return a.data_ == b.data_;
  }
}

std::string to_json(const value& v) {
  std::string out;
  detail::write_json(out, v);
  return out;
}

}  // namespace sio

namespace sio::detail {

std::optional<std::uint32_t> array_index(std::string_view key) noexcept {
  if (key.empty() || key.size() > 10) return std::nullopt;
  if (key.size() > 1 && key[0] == '0') return std::nullopt;
  std::uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n > 4294967294u) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

}  // namespace sio::detail
