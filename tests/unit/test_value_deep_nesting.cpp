// Every parser of bytes from the network refuses nesting far deeper than any stack instead of recursing on it
// (DESIGN.md §4, issue 24): JSON (sio::json and the check-only outline), msgpack. A million levels is a few MB of
// input and would take tens of MB of stack to recurse through: a crash, not an error, if any stage recursed.
#include <doctest/doctest.h>

#include <string>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/json_reader.hpp"
#include "sio/internal/value/msgpack_reader.hpp"

namespace {

constexpr std::size_t far_deeper_than_any_stack = 1'000'000;

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string nested_objects(std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += R"({"a":)";
  text += "1";
  text += std::string(depth, '}');
  return text;
}

}  // namespace

TEST_CASE("deep nesting: sio::json refuses a million levels of arrays or objects") {
  CHECK_THROWS_WITH_AS(sio::json(nested_arrays(far_deeper_than_any_stack)),
                       "invalid JSON at line 1, column 513: nesting deeper than 512", sio::data_error);
  CHECK_THROWS_WITH_AS(sio::json(nested_objects(far_deeper_than_any_stack)),
                       doctest::Contains("nesting deeper than 512"), sio::data_error);
  CHECK_THROWS_AS(sio::json(std::string(far_deeper_than_any_stack, '[')), sio::data_error);  // never closed
}

TEST_CASE("deep nesting: the JSON outline refuses exactly what sio::json refuses") {
  CHECK(sio::detail::outline_json(nested_arrays(512)).top == sio::value::kind::array);
  CHECK_THROWS_WITH_AS(sio::detail::outline_json(nested_arrays(513)),
                       "invalid JSON at line 1, column 513: nesting deeper than 512", sio::data_error);
  CHECK_THROWS_WITH_AS(sio::detail::outline_json(nested_arrays(far_deeper_than_any_stack)),
                       "invalid JSON at line 1, column 513: nesting deeper than 512", sio::data_error);
  CHECK_THROWS_AS(sio::detail::outline_json(nested_objects(far_deeper_than_any_stack)), sio::data_error);
}

TEST_CASE("deep nesting: msgpack refuses a million levels of arrays or maps") {
  const std::string arrays = std::string(far_deeper_than_any_stack, '\x91') + '\xc0';  // [[[...[nil]...]]]
  CHECK_THROWS_WITH_AS(sio::detail::decode_msgpack(arrays), "malformed msgpack: nesting deeper than 512",
                       sio::data_error);
  std::string maps;
  for (std::size_t i = 0; i < far_deeper_than_any_stack; ++i) maps += "\x81\xa1" "a";  // {"a": {"a": ...}}
  maps += '\xc0';
  CHECK_THROWS_WITH_AS(sio::detail::decode_msgpack(maps), "malformed msgpack: nesting deeper than 512",
                       sio::data_error);
}

TEST_CASE("JSON outline: the shape of the top level, and the same refusals as sio::json") {
  using kind = sio::value::kind;
  const auto event = sio::detail::outline_json(R"(["chat", {"text": "hi"}, [1, 2]])");
  CHECK(event.top == kind::array);
  CHECK(event.top_size == 3);
  CHECK(event.first == kind::string);
  CHECK(event.first_string == "chat");
  const auto numbered = sio::detail::outline_json("[42]");
  CHECK(numbered.first == kind::number);
  CHECK(numbered.first_string.empty());
  CHECK(sio::detail::outline_json("[]").top_size == 0);
  CHECK_FALSE(sio::detail::outline_json("[]").first.has_value());
  CHECK(sio::detail::outline_json(R"({"a":1,"b":[2]})").top == kind::object);
  CHECK(sio::detail::outline_json("1e400").top == kind::number);  // JSON.parse: Infinity, as sio::json
  CHECK(sio::detail::outline_json(R"([1e400, "x"])").top_size == 2);
  for (const char* bad : {"", "[", "[1,]", R"(["\ud800"])", "[1] [2]", "nul", "[\"a\\x\"]", "{\"a\"}"}) {
    CAPTURE(bad);
    std::string json_error;
    try {
      sio::json(bad);
    } catch (const sio::data_error& e) {
      json_error = e.what();
    }
    REQUIRE_FALSE(json_error.empty());
    CHECK_THROWS_WITH_AS(sio::detail::outline_json(bad), json_error.c_str(), sio::data_error);
  }
  const std::string with_nul = std::string("[1]") + '\0';
  CHECK_THROWS_AS(sio::detail::outline_json(with_nul), sio::data_error);
}
