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
#include "sio/internal/value/js_object.hpp"
#include "sio/internal/value/json_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"
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

// JSON.parse's rules in RapidJSON's terms: no recursion (iterative), UTF-8 checked, numbers as their text (read
// by parse_number, as JSON.parse rounds them).
constexpr unsigned json_parse_flags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;

// One open array or object while transcoding (read_json_members).
struct transcode_frame {
  std::size_t header = 0;      // where its msgpack header goes (a one-byte placeholder until it is closed)
  std::size_t first_name = 0;  // its names in the name list
  bool is_object = false;
};

// A member of the top-level object while transcoding: offsets, made views once the buffers stop growing.
struct member_offsets {
  std::size_t name = 0, name_size = 0, string = 0, string_size = 0, msgpack = 0, msgpack_size = 0;
};

// What a parse reuses from the previous one on the same thread: RapidJSON's stack and the frame stacks keep their
// memory (parsing is not re-entrant: nothing calls back into it). One thread_local, so one TLS lookup per parse.
struct parse_scratch {
  rapidjson::Reader reader;
  std::vector<value_builder_frame> stack;
  std::vector<transcode_frame> frames;
  std::vector<std::pair<std::size_t, std::size_t>> names;  // of the open objects, in name_text
  std::string name_text;
  std::vector<member_offsets> members;
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

// Objects with more members than this are left to sio::json: a repeated name is looked for among the earlier ones.
constexpr std::size_t max_transcoded_members = 64;

// A RapidJSON SAX handler for read_json_members: each value of the top-level object straight into msgpack, as
// notepack_writer::value(sio::json(text)) would write it. Returns false (the reader stops) where it cannot.
class member_transcoder {
 public:
  member_transcoder(json_members& out, parse_scratch& scratch)
      : out_(out), w_(out.msgpack), frames_(scratch.frames), names_(scratch.names), name_text_(scratch.name_text),
        members_(scratch.members) {
    frames_.clear();
    names_.clear();
    name_text_.clear();
    members_.clear();
  }

  bool Null() {
    if (!value_starts(value::kind::null)) return false;
    w_.nil();
    return value_ends();
  }
  bool Bool(bool b) {
    if (!value_starts(value::kind::boolean)) return false;
    if (frames_.size() == 1) out_.members.back().boolean = b;
    w_.boolean(b);
    return value_ends();
  }
  // With kParseNumbersAsStringsFlag every number arrives as RawNumber.
  bool Int(int) { return false; }
  bool Uint(unsigned) { return false; }
  bool Int64(std::int64_t) { return false; }
  bool Uint64(std::uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    double d = 0;
    const std::string_view token(text, length);
    if (parse_number(token, d) != token.size() || !std::isfinite(d)) return false;
    // 2^53 and beyond: notepack writes an integral one as an int, @msgpack/msgpack as a float64.
    if (std::floor(d) == d && std::fabs(d) > 9007199254740991.0) return false;
    if (!value_starts(value::kind::number)) return false;
    if (frames_.size() == 1) out_.members.back().number = d;
    w_.number(d);
    return value_ends();
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (!valid_string(text, length, error_) || !value_starts(value::kind::string)) return false;
    const std::string_view s(text, length);
    if (frames_.size() == 1) {
      members_.back().string = out_.text.size();
      members_.back().string_size = s.size();
      out_.text += s;
    }
    w_.checked_string(s);
    return value_ends();
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    const std::string_view name(text, length);
    // Array-index names start with a digit: most names are not looked at further.
    const bool digit = !name.empty() && name[0] >= '0' && name[0] <= '9';
    if (!valid_string(text, length, error_) || (digit && detail::array_index(name))) return false;
    const transcode_frame& object = frames_.back();
    if (names_.size() - object.first_name >= max_transcoded_members) return false;
    for (std::size_t i = object.first_name; i < names_.size(); ++i)
      if (std::string_view(name_text_).substr(names_[i].first, names_[i].second) == name) return false;
    names_.emplace_back(name_text_.size(), name.size());
    name_text_ += name;
    if (frames_.size() == 1) {
      out_.members.emplace_back();
      auto& m = members_.emplace_back();
      m.name = out_.text.size();
      m.name_size = name.size();
      out_.text += name;
    } else {
      w_.checked_string(name);
    }
    return true;
  }
  bool StartObject() { return open(true); }
  bool StartArray() { return open(false); }
  bool EndObject(rapidjson::SizeType count) { return close(count); }
  bool EndArray(rapidjson::SizeType count) { return close(count); }

  // After a successful parse: the members' views into the buffers, which no longer grow.
  void finish() {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      const member_offsets& o = members_[i];
      json_member& m = out_.members[i];
      m.name = std::string_view(out_.text).substr(o.name, o.name_size);
      m.string = std::string_view(out_.text).substr(o.string, o.string_size);
      m.msgpack = std::string_view(out_.msgpack).substr(o.msgpack, o.msgpack_size);
    }
  }
  bool was_object() const { return saw_object_; }

 private:
  // A value at depth 1 is a member of the top-level object; at depth 0 it is the whole text (refused).
  bool value_starts(value::kind kind) {
    if (frames_.empty()) return false;
    if (frames_.size() == 1) {
      out_.members.back().kind = kind;
      members_.back().msgpack = out_.msgpack.size();
    }
    return true;
  }
  bool value_ends() {
    if (frames_.size() == 1) members_.back().msgpack_size = out_.msgpack.size() - members_.back().msgpack;
    return true;
  }

  bool open(bool is_object) {
    if (frames_.size() >= max_nesting) return false;
    if (frames_.empty()) {
      if (!is_object) return false;
      saw_object_ = true;
      frames_.push_back({out_.msgpack.size(), names_.size(), true});
      return true;
    }
    if (!value_starts(is_object ? value::kind::object : value::kind::array)) return false;
    frames_.push_back({out_.msgpack.size(), names_.size(), is_object});
    out_.msgpack += '\0';  // the header, once the count is known
    return true;
  }

  bool close(rapidjson::SizeType count) {
    const transcode_frame frame = frames_.back();
    frames_.pop_back();
    names_.resize(frame.first_name);
    if (frames_.empty()) return true;  // the top-level object: its members are the result, not one value
    write_header(frame.header, static_cast<std::uint32_t>(count), frame.is_object);
    return value_ends();
  }

  // The smallest header msgpack has for `count`, as the writer's array_header / map_header write it.
  void write_header(std::size_t at, std::uint32_t count, bool map) {
    if (count < 16) {
      out_.msgpack[at] = static_cast<char>((map ? 0x80 : 0x90) | count);
      return;
    }
    std::string header;
    detail::notepack_writer h(header);
    if (map)
      h.map_header(count);
    else
      h.array_header(count);
    out_.msgpack.replace(at, 1, header);
  }

  json_members& out_;
  detail::notepack_writer w_;
  std::vector<transcode_frame>& frames_;
  std::vector<std::pair<std::size_t, std::size_t>>& names_;
  std::string& name_text_;
  std::vector<member_offsets>& members_;
  std::optional<pending_error> error_;
  bool saw_object_ = false;
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
  constexpr unsigned flags = json_parse_flags;
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

bool read_json_members(std::string_view text, json_members& out) {
  out.members.clear();
  out.text.clear();
  out.msgpack.clear();
  parse_scratch& scratch = thread_scratch();
  member_transcoder transcoder(out, scratch);
  rapidjson::MemoryStream stream(text.data(), text.size());
  // ASCII text (most lines) needs no UTF-8 check per character: RapidJSON's validation is a third of its time on
  // a typical line. (A \u escape still cannot make invalid UTF-8: RapidJSON refuses a broken surrogate pair, and
  // valid_string a lone low one.)
  constexpr unsigned ascii_flags = json_parse_flags & ~unsigned{rapidjson::kParseValidateEncodingFlag};
  const bool parsed = detail::is_ascii(text) ? scratch.reader.Parse<ascii_flags>(stream, transcoder)
                                             : scratch.reader.Parse<json_parse_flags>(stream, transcoder);
  // MemoryStream reports an embedded NUL byte as the end of the text: short of the end, it is not JSON.
  if (!parsed || stream.Tell() != text.size() || !transcoder.was_object()) return false;
  transcoder.finish();
  return true;
}

std::vector<value> json_args(std::string_view text) {
  const value parsed = parse_json(text);
  if (parsed.type() != value::kind::array) throw data_error(errc::invalid_json, "expected a JSON array of arguments");
  return parsed.as_array();
}

}  // namespace sio
