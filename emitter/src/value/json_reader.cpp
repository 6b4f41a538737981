// sio::json and sio::json_args: JSON text -> sio::value with JSON.parse semantics, parsed by RapidJSON's SAX reader.
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/json_reader.hpp"
#include "sio/internal/value/utf8.hpp"

namespace sio {

namespace {

// Deeper values are refused: every later stage (encoding, printing, destruction) recurses once per level.
constexpr std::size_t max_nesting = 512;
// Each number RapidJSON refuses as too big costs one more parse of the text (see parse_json).
constexpr int max_out_of_range_numbers = 100;
constexpr const char* lone_surrogate_message = "a \\u escape is a lone surrogate, which is not valid UTF-8";

// from_chars reports a value beyond the double range without the value; JSON.parse gives ±Infinity for an
// overflow and ±0 for an underflow. Which one is decided by the decimal exponent of the first non-zero digit.
double out_of_range_value(std::string_view token) {
  const bool negative = !token.empty() && token.front() == '-';
  long long leading_exponent = 0;
  bool found = false;
  long long integer_digits = 0;
  long long fraction_position = 0;
  bool in_fraction = false;
  std::size_t i = negative ? 1 : 0;
  for (; i < token.size() && token[i] != 'e' && token[i] != 'E'; ++i) {
    const char c = token[i];
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (in_fraction) ++fraction_position;
    if (!found && c != '0') {
      found = true;
      leading_exponent = in_fraction ? -fraction_position : 0;
      integer_digits = 0;
    }
    if (found && !in_fraction) ++integer_digits;
  }
  if (found && leading_exponent == 0) leading_exponent = integer_digits - 1;
  long long exponent = 0;
  bool exponent_negative = false;
  if (i < token.size()) {
    ++i;  // 'e'
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) exponent_negative = token[i++] == '-';
    for (; i < token.size(); ++i) exponent = std::min(exponent * 10 + (token[i] - '0'), 1'000'000'000LL);
  }
  const long long magnitude = leading_exponent + (exponent_negative ? -exponent : exponent);
  const double result = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return negative ? -result : result;
}

// A JSON number token as JSON.parse reads it: the correctly rounded double ("1.0" -> 1, "-0" -> -0,
// "12345678901234567890" -> 12345678901234567168, "1e400" -> Infinity). Returns the characters used.
std::size_t parse_number(std::string_view token, double& out) {
  const auto result = std::from_chars(token.data(), token.data() + token.size(), out);
  const auto used = static_cast<std::size_t>(result.ptr - token.data());
  if (result.ec == std::errc::result_out_of_range) out = out_of_range_value(token.substr(0, used));
  return used;
}

// One open array or object while parsing.
struct value_builder_frame {
  bool is_object = false;
  value::array_type elements;
  value::object_type members;
  std::string key;
};

// What a parse reuses from the previous one on the same thread: RapidJSON's stack and the frame stack keep their
// memory (parsing is not re-entrant: nothing calls back into it). One thread_local, so one TLS lookup per parse.
struct parse_scratch {
  rapidjson::Reader reader;
  std::vector<value_builder_frame> stack;
};

// Looked up once per parse: in a shared library each access to a thread_local is a __tls_get_addr call, which
// the compiler repeats after every call it cannot see through.
[[gnu::noinline]] parse_scratch& thread_scratch() {
  thread_local parse_scratch scratch;
  return scratch;
}

struct pending_error {
  errc code;
  std::string message;
};

// The first name of `members` that an earlier member already had.
std::optional<std::string> first_repeated_name(const value::object_type& members) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(members.size());
  for (const auto& [name, member] : members)
    if (!seen.insert(name).second) return name;
  return std::nullopt;
}

// Catches what RapidJSON lets through: "\udc00" escapes (lone low surrogates) decode to invalid UTF-8.
bool valid_string(const char* text, rapidjson::SizeType length, std::optional<pending_error>& error) {
  const std::string_view s(text, length);
  if (detail::is_ascii(s) || !detail::find_invalid_utf8(s)) return true;
  error = pending_error{errc::invalid_utf8, lone_surrogate_message};
  return false;
}

// The nesting limit, as one pending error.
pending_error too_deep() { return {errc::invalid_json, fmt::format("nesting deeper than {}", max_nesting)}; }

// A RapidJSON SAX handler building sio::values with an explicit stack (no recursion, whatever the depth).
class value_builder {
 public:
  // `stack` is scratch space lent by the caller (empty, its capacity reused from parse to parse).
  // With `repeated_name`, the top-level object's first repeated member name is stored there before value::object()
  // merges the repeats.
  value_builder(std::vector<value_builder_frame>& stack, std::optional<std::string>* repeated_name)
      : stack_(stack), repeated_name_(repeated_name) {}

  // Before each pass over the text (a number beyond the double range makes parse_with go again).
  void restart() {
    stack_.clear();
    root_ = value{};
    numbers_seen_ = 0;
    error_.reset();
  }
  // The `index`th number of the text is `d` (one RapidJSON could not hold).
  void override_number(std::size_t index, double d) { number_overrides_[index] = d; }

  bool Null() { return add(nullptr); }
  bool Bool(bool b) { return add(b); }
  // With kParseNumbersAsStringsFlag every number arrives as RawNumber; these are never called.
  bool Int(int n) { return add(static_cast<double>(n)); }
  bool Uint(unsigned n) { return add(static_cast<double>(n)); }
  bool Int64(std::int64_t n) { return add(static_cast<double>(n)); }
  bool Uint64(std::uint64_t n) { return add(static_cast<double>(n)); }
  bool Double(double d) { return add(d); }

  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    const std::size_t index = numbers_seen_++;
    if (auto it = number_overrides_.find(index); it != number_overrides_.end()) return add(it->second);
    double d = 0;
    parse_number(std::string_view(text, length), d);
    return add(d);
  }

  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (!check_utf8(text, length)) return false;
    return add(std::string(text, length));
  }

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (!check_utf8(text, length)) return false;
    stack_.back().key.assign(text, length);
    return true;
  }

  bool StartObject() { return open(true); }
  bool StartArray() { return open(false); }

  bool EndObject(rapidjson::SizeType) {
    frame top = std::move(stack_.back());
    stack_.pop_back();
    if (repeated_name_ != nullptr && stack_.empty()) *repeated_name_ = first_repeated_name(top.members);
    return add(value::object(std::move(top.members)));
  }

  bool EndArray(rapidjson::SizeType) {
    frame top = std::move(stack_.back());
    stack_.pop_back();
    return add(value(std::move(top.elements)));
  }

  std::size_t numbers_seen() const { return numbers_seen_; }
  const std::optional<pending_error>& error() const { return error_; }
  value take_root() { return std::move(root_); }

 private:
  using frame = value_builder_frame;

  bool open(bool is_object) {
    if (stack_.size() >= max_nesting) {
      error_ = too_deep();
      return false;
    }
    auto& top = stack_.emplace_back();
    top.is_object = is_object;
    // A notification's objects have a few keys: one allocation instead of growing 1, 2, 4.
    if (is_object) top.members.reserve(4);
    return true;
  }

  bool add(value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
    } else if (frame& top = stack_.back(); top.is_object) {
      top.members.emplace_back(std::move(top.key), std::move(v));
    } else {
      top.elements.push_back(std::move(v));
    }
    return true;
  }

  bool check_utf8(const char* text, rapidjson::SizeType length) { return valid_string(text, length, error_); }

  std::map<std::size_t, double> number_overrides_;
  std::vector<frame>& stack_;
  std::optional<std::string>* repeated_name_;
  value root_;
  std::size_t numbers_seen_ = 0;
  std::optional<pending_error> error_;
};

// A SAX handler that only checks, as value_builder would, and notes the top level's shape (json_outline).
class outline_builder {
 public:
  void restart() {
    depth_ = 0;
    numbers_seen_ = 0;
    error_.reset();
    outline_ = detail::json_outline{};
  }
  void override_number(std::size_t, double) {}  // a number's value does not matter here

  bool Null() { return add(value::kind::null); }
  bool Bool(bool) { return add(value::kind::boolean); }
  bool Int(int) { return add(value::kind::number); }
  bool Uint(unsigned) { return add(value::kind::number); }
  bool Int64(std::int64_t) { return add(value::kind::number); }
  bool Uint64(std::uint64_t) { return add(value::kind::number); }
  bool Double(double) { return add(value::kind::number); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) {
    ++numbers_seen_;
    return add(value::kind::number);
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (!valid_string(text, length, error_)) return false;
    if (depth_ == 1 && outline_.top == value::kind::array && outline_.top_size == 0)
      outline_.first_string.assign(text, length);
    return add(value::kind::string);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) { return valid_string(text, length, error_); }
  bool StartObject() { return open(value::kind::object); }
  bool StartArray() { return open(value::kind::array); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  std::size_t numbers_seen() const { return numbers_seen_; }
  const std::optional<pending_error>& error() const { return error_; }
  const detail::json_outline& outline() const { return outline_; }

 private:
  bool open(value::kind k) {
    if (depth_ >= max_nesting) {
      error_ = too_deep();
      return false;
    }
    add(k);
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool add(value::kind k) {
    if (depth_ == 0) {
      outline_.top = k;
    } else if (depth_ == 1) {
      if (outline_.top_size == 0 && outline_.top == value::kind::array) outline_.first = k;
      ++outline_.top_size;
    }
    return true;
  }

  std::size_t depth_ = 0;
  std::size_t numbers_seen_ = 0;
  std::optional<pending_error> error_;
  detail::json_outline outline_;
};

// 1-based line and column of a byte offset. The column counts characters (UTF-8 lead bytes), not bytes.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::size_t column = 1;
  for (std::size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) ++column;
  return {line, column};
}

[[noreturn]] void fail(std::string_view text, std::size_t offset, errc code, std::string_view message) {
  const auto [line, column] = line_and_column(text, offset);
  const char* what = code == errc::invalid_utf8 ? "invalid UTF-8 in JSON" : "invalid JSON";
  throw data_error(code, fmt::format("{} at line {}, column {}: {}", what, line, column, message));
}

// Parses `text` into `handler` (value_builder or outline_builder) with JSON.parse's rules; throws data_error.
template <class Handler>
void parse_with(std::string_view text, Handler& handler) {
  constexpr unsigned flags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;
  // RapidJSON refuses numbers whose magnitude it cannot hold ("1e400") where JSON.parse gives Infinity. Each such
  // number is computed here, blanked out ("0" and spaces, so offsets stay put) and the text parsed again.
  std::optional<std::string> patched;
  parse_scratch& scratch = thread_scratch();
  for (int retry = 0;; ++retry) {
    const std::string_view input = patched ? std::string_view(*patched) : text;
    rapidjson::MemoryStream stream(input.data(), input.size());
    auto& reader = scratch.reader;
    handler.restart();
    const rapidjson::ParseResult result = reader.Parse<flags>(stream, handler);
    if (result) {
      // MemoryStream reports an embedded NUL byte as the end of the text; JSON.parse refuses it.
      if (stream.Tell() != input.size())
        fail(text, stream.Tell(), errc::invalid_json,
             rapidjson::GetParseError_En(rapidjson::kParseErrorDocumentRootNotSingular));
      return;
    }
    switch (result.Code()) {
      case rapidjson::kParseErrorTermination:
        if (handler.error()) fail(text, result.Offset(), handler.error()->code, handler.error()->message);
        break;
      case rapidjson::kParseErrorStringInvalidEncoding:
        fail(text, result.Offset(), errc::invalid_utf8, rapidjson::GetParseError_En(result.Code()));
      case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:  // "\ud800" without its low half
        fail(text, result.Offset(), errc::invalid_utf8, lone_surrogate_message);
      case rapidjson::kParseErrorNumberTooBig:
        if (retry < max_out_of_range_numbers) {
          if (!patched) patched.emplace(text);
          const std::size_t start = result.Offset();
          double d = 0;
          const std::size_t length = parse_number(std::string_view(*patched).substr(start), d);
          if (length == 0) break;
          handler.override_number(handler.numbers_seen(), d);
          patched->replace(start, length, length, ' ');
          (*patched)[start] = '0';
          continue;
        }
        fail(text, result.Offset(), errc::invalid_json,
             fmt::format("more than {} numbers beyond the double range", max_out_of_range_numbers));
      default: break;
    }
    fail(text, result.Offset(), errc::invalid_json, rapidjson::GetParseError_En(result.Code()));
  }
}

value parse_json(std::string_view text, std::optional<std::string>* repeated_name = nullptr) {
  value_builder builder(thread_scratch().stack, repeated_name);
  parse_with(text, builder);
  return builder.take_root();
}

}  // namespace

value json(std::string_view text) { return parse_json(text); }

namespace detail {

json_outline outline_json(std::string_view text) {
  outline_builder outline;
  parse_with(text, outline);
  return outline.outline();
}

}  // namespace detail

detail::json_document detail::json_noting_repeated_name(std::string_view text) {
  json_document parsed;
  parsed.root = parse_json(text, &parsed.repeated_name);
  return parsed;
}

std::vector<value> json_args(std::string_view text) {
  const value parsed = parse_json(text);
  if (parsed.type() != value::kind::array) throw data_error(errc::invalid_json, "expected a JSON array of arguments");
  return parsed.as_array();
}

}  // namespace sio
