// sio::json and sio::json_args: JSON.parse semantics on RapidJSON.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "test_value_support.hpp"
#include "sio/internal/value/json_reader.hpp"

using sio_test::pack;

namespace {

// The code and message of the data_error that json(text) throws ("" when it does not throw).
std::pair<sio::errc, std::string> parse_error(std::string_view text) {
  try {
    sio::json(text);
  } catch (const sio::data_error& e) {
    return {e.code(), e.what()};
  }
  return {sio::errc::ok, ""};
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("json: every number is a double exactly as JSON.parse reads it") {
  CHECK(sio::json("12345678901234567890").type() == sio::value::kind::number);
  CHECK(sio::json("12345678901234567890").as_number() == 12345678901234567168.0);
  CHECK(pack(sio::json("12345678901234567890")) == "cf ab 54 a9 8c eb 1f 08 00");
  CHECK(pack(sio::json("1.0")) == "01");
  CHECK(pack(sio::json("1e3")) == "cd 03 e8");
  CHECK(pack(sio::json("1E2")) == "64");
  CHECK(sio::json("-1.5e-3").as_number() == -0.0015);
  CHECK(sio::json("0.1").as_number() == 0.1);
  CHECK(sio::json("9007199254740993").as_number() == 9007199254740992.0);  // ties to even
  CHECK(sio::json("123456789012345678901234567890").as_number() == 1.2345678901234568e29);
  CHECK(sio::json("2.2250738585072011e-308").as_number() == 2.2250738585072011e-308);
  CHECK(sio::json("5e-324").as_number() == 5e-324);
  CHECK(sio::json("4294967295").as_number() == 4294967295.0);
  CHECK(sio::json("-9223372036854775809").as_number() == -9223372036854775808.0);
  CHECK(sio::json("18446744073709551616").as_number() == 18446744073709551616.0);
  CHECK(pack(sio::json("18446744073709551616")) == "cf 00 00 00 00 00 00 00 00");
}

TEST_CASE("json: -0 stays negative zero") {
  const double d = sio::json("-0").as_number();
  CHECK(d == 0.0);
  CHECK(std::signbit(d));
  CHECK(std::signbit(sio::json("-0.0").as_number()));
  CHECK(pack(sio::json("-0")) == "00");
}

TEST_CASE("json: numbers beyond the double range are Infinity or 0, like JSON.parse") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(sio::json("1e400").as_number() == inf);
  CHECK(sio::json("-1e400").as_number() == -inf);
  CHECK(pack(sio::json("1e400")) == "cb 7f f0 00 00 00 00 00 00");
  CHECK(sio::json("1E+309").as_number() == inf);
  CHECK(sio::json("1" + std::string(400, '0')).as_number() == inf);
  CHECK(sio::json("1" + std::string(308, '0')).as_number() == 1e308);  // RapidJSON refuses it, JS does not
  CHECK(sio::json("1" + std::string(400, '0') + "e-300").as_number() == 1e100);
  CHECK(sio::json("1e-400").as_number() == 0.0);
  CHECK(std::signbit(sio::json("-1e-400").as_number()));
  const sio::value mixed = sio::json(R"([1e400, 2, {"a": -1e999, "b": [3, 1e500]}, 4])");
  CHECK(sio::to_json(mixed) == R"([null,2,{"a":null,"b":[3,null]},4])");
  CHECK(mixed.as_array()[2].as_object()[0].second.as_number() == -inf);
  CHECK(mixed.as_array()[2].as_object()[1].second.as_array()[1].as_number() == inf);
  CHECK(mixed.as_array()[3].as_number() == 4);
  // Replacing a refused number must not hide a syntax error right after it.
  CHECK(parse_error("[1e400x]").first == sio::errc::invalid_json);
  CHECK(parse_error("[1e400x]").second ==
        "invalid JSON at line 1, column 7: Missing a comma or ']' after an array element.");
}

TEST_CASE("json: literals, strings and escapes") {
  CHECK(sio::json("null").is_null());
  CHECK(sio::json("true").as_bool());
  CHECK_FALSE(sio::json("false").as_bool());
  CHECK(sio::json(R"("h\u00e9llo")").as_string() == "héllo");
  CHECK(sio::json(R"("\ud83d\ude00")").as_string() == "😀");
  CHECK(sio::json(R"("\"\\\/\b\f\n\r\t")").as_string() == "\"\\/\b\f\n\r\t");
  CHECK(sio::json(R"("a\u0000b")").as_string() == std::string("a\0b", 3));
  CHECK(sio::json("\"é€😀\"").as_string() == "é€😀");
  CHECK(sio::json(" \t\r\n [1, 2] \n ").as_array().size() == 2);
}

TEST_CASE("json: objects take JavaScript key order - duplicates keep the first place and the last value") {
  const sio::value v =
      sio::json(R"({"b":1,"4294967295":2,"4294967294":3,"01":4,"1":5,"-1":6,"1.5":7,"0":8,"a":9,"b":10})");
  std::string keys;
  for (const auto& [key, member] : v.as_object()) keys += key + " ";
  CHECK(keys == "0 1 4294967294 b 4294967295 01 -1 1.5 a ");
  CHECK(sio::to_json(v) == R"({"0":8,"1":5,"4294967294":3,"b":10,"4294967295":2,"01":4,"-1":6,"1.5":7,"a":9})");
  CHECK(sio::to_json(sio::json(R"({"a":1,"b":2,"a":3})")) == R"({"a":3,"b":2})");
  CHECK(sio::to_json(sio::json(R"({"x":{"2":1,"1":2},"y":[{"b":1,"a":2}]})")) ==
        R"({"x":{"1":2,"2":1},"y":[{"b":1,"a":2}]})");
}

TEST_CASE("json_noting_repeated_name: the top-level object's first repeated name, escapes decoded") {
  using sio::detail::json_noting_repeated_name;
  const auto repeated = json_noting_repeated_name(R"({"sub":"43","exp":1,"sub":"42","exp":2})");
  CHECK(repeated.repeated_name == "sub");
  CHECK(sio::to_json(repeated.root) == R"({"sub":"42","exp":2})");  // what sio::json gives
  CHECK(json_noting_repeated_name(R"({"sub":"43","s\u0075b":"42"})").repeated_name == "sub");
  CHECK_FALSE(json_noting_repeated_name(R"({"a":{"b":1,"b":2},"c":[{"d":1,"d":2}]})").repeated_name);
  CHECK_FALSE(json_noting_repeated_name(R"([{"a":1,"a":2}])").repeated_name);
  CHECK_FALSE(json_noting_repeated_name(R"({"a":1e400,"b":1e400})").repeated_name);  // the reparse path
  CHECK(json_noting_repeated_name(R"({"a":1e400,"a":1})").repeated_name == "a");
  CHECK_THROWS_AS(json_noting_repeated_name(nested_arrays(100000)), sio::data_error);
}

TEST_CASE("json: syntax errors name line and column") {
  CHECK(parse_error("") ==
        std::pair{sio::errc::invalid_json, std::string("invalid JSON at line 1, column 1: The document is empty.")});
  CHECK(parse_error("[1] x").second ==
        "invalid JSON at line 1, column 5: The document root must not be followed by other values.");
  CHECK(parse_error("1 2").first == sio::errc::invalid_json);
  CHECK(parse_error("[1,]").second == "invalid JSON at line 1, column 4: Invalid value.");
  // RapidJSON stops where the missing 'e' of "tru" should be.
  CHECK(parse_error("{\n  \"a\": 1,\n  \"b\": tru\n}").second == "invalid JSON at line 3, column 11: Invalid value.");
  CHECK(parse_error("{\n  \"a\" 1\n}").second ==
        "invalid JSON at line 2, column 7: Missing a colon after a name of object member.");
  // Columns count characters, not bytes: "é" is one column.
  CHECK(parse_error("[\"é\", x]").second == "invalid JSON at line 1, column 7: Invalid value.");
  CHECK(parse_error("NaN").first == sio::errc::invalid_json);
  CHECK(parse_error("'a'").first == sio::errc::invalid_json);
  CHECK(parse_error("01").first == sio::errc::invalid_json);
  CHECK(parse_error("[1,2").first == sio::errc::invalid_json);
  CHECK(parse_error("\"a\nb\"").first == sio::errc::invalid_json);  // raw control character in a string
  CHECK(parse_error(std::string("1\0", 2)).second ==
        "invalid JSON at line 1, column 2: The document root must not be followed by other values.");
}

TEST_CASE("json: invalid UTF-8 is refused as invalid_utf8") {
  CHECK(parse_error("\"\xff\"") ==
        std::pair{sio::errc::invalid_utf8,
                  std::string("invalid UTF-8 in JSON at line 1, column 2: Invalid encoding in string.")});
  CHECK(parse_error("\"\xc0\xaf\"").first == sio::errc::invalid_utf8);          // overlong '/'
  CHECK(parse_error("\"\xe0\x80\xaf\"").first == sio::errc::invalid_utf8);      // overlong, 3 bytes
  CHECK(parse_error("\"\xed\xa0\x80\"").first == sio::errc::invalid_utf8);      // encoded surrogate
  CHECK(parse_error("\"\xf4\x90\x80\x80\"").first == sio::errc::invalid_utf8);  // above U+10FFFF
  CHECK(parse_error("{\"k\xff\": 1}").first == sio::errc::invalid_utf8);
  CHECK(parse_error("[\"ok\",\n \"\xe2\x82\"]").second.starts_with("invalid UTF-8 in JSON at line 2, column"));
  // Lone surrogate escapes cannot be published faithfully (notepack mangles them).
  CHECK(
      parse_error(R"("\ud800")") ==
      std::pair{
          sio::errc::invalid_utf8,
          std::string(
              R"(invalid UTF-8 in JSON at line 1, column 2: a \u escape is a lone surrogate, which is not valid UTF-8)")});
  CHECK(parse_error(R"("\ud800x")").first == sio::errc::invalid_utf8);
  CHECK(parse_error(R"("\udc00")").first == sio::errc::invalid_utf8);
  CHECK(parse_error(R"({"\udfff": 1})").first == sio::errc::invalid_utf8);
}

TEST_CASE("json: deep nesting is refused without crashing") {
  CHECK(sio::json(nested_arrays(512)).type() == sio::value::kind::array);
  CHECK(parse_error(nested_arrays(513)).second == "invalid JSON at line 1, column 513: nesting deeper than 512");
  CHECK(parse_error(nested_arrays(100000)).first == sio::errc::invalid_json);
  CHECK(parse_error(std::string(100000, '{')).first == sio::errc::invalid_json);
}

TEST_CASE("json_args: a JSON array becomes the argument list") {
  const std::vector<sio::value> args = sio::json_args(R"([1, {"a": 2}, "x", null])");
  REQUIRE(args.size() == 4);
  CHECK(args[0].as_number() == 1);
  CHECK(sio::to_json(args[1]) == R"({"a":2})");
  CHECK(args[2].as_string() == "x");
  CHECK(args[3].is_null());
  CHECK(sio::json_args("[]").empty());
  CHECK_THROWS_WITH_AS(sio::json_args(R"({"a":1})"), "expected a JSON array of arguments", sio::data_error);
  CHECK_THROWS_WITH_AS(sio::json_args("1"), "expected a JSON array of arguments", sio::data_error);
  try {
    sio::json_args("\"x\"");
    FAIL("no exception");
  } catch (const sio::data_error& e) {
    CHECK(e.code() == sio::errc::invalid_json);
  }
  CHECK_THROWS_AS(sio::json_args("[1,"), sio::data_error);
}
