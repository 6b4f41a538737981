// sio/value.hpp: the arguments of an emit, as JavaScript will see them.
//
// A sio::value is what one argument of emit() becomes on the receiving Node server: null, a boolean, a number,
// a string, binary bytes (a Buffer), a Date, an array or a plain object. Build one from JSON text with
// sio::json(), or from typed C++ values (integers, doubles, strings, std::vector, std::map, std::optional, ...).
//
// JavaScript semantics are applied when a value is built, so encoding is byte-identical to the Node emitter:
// JSON numbers are IEEE doubles exactly as JSON.parse reads them, object keys take JavaScript property order
// (array-index keys ascending first, then insertion order; a duplicate key keeps its first place and its last
// value), and an empty std::optional is `undefined` (dropped from objects, null in arrays).
//
// Values are immutable once built and cheap to copy (arrays and objects are shared).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "sio/export.hpp"

namespace sio {

// Raw bytes; arrive as a Buffer (Node) or an ArrayBuffer (browsers).
struct binary {
  std::vector<std::uint8_t> bytes;

  binary() = default;
  explicit binary(std::vector<std::uint8_t> b) : bytes(std::move(b)) {}
  explicit binary(std::string_view b) : bytes(b.begin(), b.end()) {}
  friend bool operator==(const binary&, const binary&) = default;
};

// A JavaScript Date: milliseconds since the Unix epoch. Arrives as a Date on Node servers (msgpack timestamp).
struct date {
  std::int64_t ms_since_epoch = 0;
  friend bool operator==(const date&, const date&) = default;
};

// Exported member by member (SIO_API): values are never thrown or dynamic_cast, so the class needs no exported
// type_info.
class value {
 public:
  enum class kind : std::uint8_t {
    undefined,         // only from an empty std::optional or value::undefined()
    null,
    boolean,
    number,            // a double (every JSON number)
    integer,           // a signed C++ integer, kept exact
    unsigned_integer,  // an unsigned C++ integer, kept exact
    string,
    binary,
    date,
    array,
    object,
  };
  using array_type = std::vector<value>;
  using member = std::pair<std::string, value>;
  using object_type = std::vector<member>;

  value() noexcept : data_(nullptr) {}
  value(std::nullptr_t) noexcept : data_(nullptr) {}
  value(bool b) noexcept : data_(b) {}
  template <std::signed_integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>)
  value(T n) noexcept : data_(static_cast<std::int64_t>(n)) {}
  template <std::unsigned_integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>)
  value(T n) noexcept : data_(static_cast<std::uint64_t>(n)) {}
  template <std::floating_point T>
  value(T n) noexcept : data_(static_cast<double>(n)) {}
  value(std::string s) : data_(std::move(s)) {}
  value(std::string_view s) : data_(std::string(s)) {}
  value(const char* s) : data_(std::string(s)) {}
  value(sio::binary b) : data_(std::move(b)) {}
  value(sio::date d) noexcept : data_(d) {}
  value(array_type elements) : data_(std::make_shared<const array_type>(std::move(elements))) {}

  template <class T>
  value(const std::vector<T>& elements) : value(convert_array(elements)) {}
  template <class T>
  value(const std::optional<T>& v) : value(v ? value(*v) : undefined()) {}
  template <class T>
  value(const std::map<std::string, T>& m) : value(object(convert_members(m))) {}
  template <class T>
  value(const std::unordered_map<std::string, T>& m) : value(object(convert_members(m))) {}

  // An object from members in insertion order; JavaScript key order and duplicate rules are applied.
  SIO_API static value object(object_type members);
  SIO_API static value undefined() noexcept;

  kind type() const noexcept { return static_cast<kind>(data_.index()); }
  bool is_undefined() const noexcept { return type() == kind::undefined; }
  bool is_null() const noexcept { return type() == kind::null; }
  // Any number: a double, or an exact C++ integer (as_number() gives it).
  bool is_number() const noexcept {
    return type() == kind::number || type() == kind::integer || type() == kind::unsigned_integer;
  }
  // obj[key]: the member named `key` of an object, or nullptr (not an object, or no such member).
  SIO_API const value* find(std::string_view key) const noexcept;

  // Accessors throw sio::data_error (errc::invalid_argument) on the wrong kind.
  SIO_API bool as_bool() const;
  SIO_API double as_number() const;  // number, integer or unsigned_integer, as a double
  SIO_API std::int64_t as_int64() const;
  SIO_API std::uint64_t as_uint64() const;
  SIO_API const std::string& as_string() const;
  SIO_API const sio::binary& as_binary() const;
  SIO_API sio::date as_date() const;
  SIO_API const array_type& as_array() const;
  SIO_API const object_type& as_object() const;  // in JavaScript key order

  SIO_API friend bool operator==(const value& a, const value& b);

 private:
  struct undefined_tag {
    friend bool operator==(undefined_tag, undefined_tag) = default;
  };
  // The alternatives are in the order of `kind`.
  using storage = std::variant<undefined_tag, std::nullptr_t, bool, double, std::int64_t, std::uint64_t,
                               std::string, sio::binary, sio::date, std::shared_ptr<const array_type>,
                               std::shared_ptr<const object_type>>;

  struct undefined_init {};
  explicit value(undefined_init) noexcept : data_(undefined_tag{}) {}
  explicit value(std::shared_ptr<const object_type> members) : data_(std::move(members)) {}

  template <class T>
  static array_type convert_array(const std::vector<T>& elements) {
    array_type out;
    out.reserve(elements.size());
    for (const auto& e : elements) out.emplace_back(e);
    return out;
  }
  template <class Map>
  static object_type convert_members(const Map& m) {
    object_type out;
    out.reserve(m.size());
    for (const auto& [k, v] : m) out.emplace_back(k, value(v));
    return out;
  }

  storage data_;
};

// Parses one JSON text (RFC 8259) as JSON.parse does. Throws sio::data_error: errc::invalid_json with the line
// and column of the fault, or errc::invalid_utf8.
SIO_API value json(std::string_view text);

// Parses a JSON array into emit arguments: "[1, {\"a\": 2}]" -> {1, {a: 2}}. Same errors as json(); a JSON text
// that is not an array is errc::invalid_json.
SIO_API std::vector<value> json_args(std::string_view text);

// JSON.stringify semantics: no whitespace, JavaScript number formatting, undefined dropped from objects (null in
// arrays), Dates as ISO-8601 strings, binary as {"type":"Buffer","data":[...]}.
SIO_API std::string to_json(const value& v);

// A JSON object read member by member, each member's value written straight into msgpack (the bytes sio::json
// gives once encoded) without building sio::values: for JSON that is relayed, not inspected, whose members go to
// emit_msgpack (sio/emitter.hpp) at the cost of a scan. notify --stdin reads its lines so.
struct json_member {
  std::string_view name;
  value::kind kind = value::kind::undefined;  // null, boolean, number, string, array or object
  bool boolean = false;                       // kind boolean
  double number = 0;                          // kind number: as JSON.parse reads it
  std::string_view string;                    // kind string
  // The value as the emitter encodes sio::json(<its text>), the same for every adapter.
  std::string_view msgpack;
};

// What read_json_members fills; reused from text to text, it stops allocating once its buffers have grown. The
// views of `members` point into `text` and `msgpack`.
struct json_members {
  std::vector<json_member> members;  // in the order of the text
  std::string text;                  // the names and strings of `members` (unescaped)
  std::string msgpack;               // the values of `members`, back to back
};

// Reads a JSON object text as sio::json does. Returns false, and throws nothing, where its bytes would not be what
// sio::json gives and the emitter encodes, leaving the text to sio::json (and its errors, if any): text that is
// not valid JSON or not an object; an object, at any depth, with a repeated name or an array-index name
// (JavaScript moves those) or with more than 64 members; a number beyond the double range, or an integral one
// beyond 2^53 (which the adapters' two msgpack encoders write differently).
SIO_API bool read_json_members(std::string_view text, json_members& out);

// Decodes one msgpack value as notepack.io's decoder gives it to a Node server: a bin is binary (a Buffer), a
// timestamp ext a date, a float64 holding an integer the same number as that integer. For callers whose values
// come as msgpack from elsewhere (the C API's SIO_ARG_MSGPACK: Python's bytes and datetimes inside a value).
// Throws sio::data_error (errc::invalid_argument) for malformed input or bytes after the value.
SIO_API value from_msgpack(std::string_view bytes);

// Decodes msgpack bytes as notepack.io does on a Node server and prints them with JSON.stringify semantics.
// For showing what a published payload carries. Throws sio::data_error on malformed msgpack.
SIO_API std::string msgpack_to_json(std::string_view bytes);

}  // namespace sio
