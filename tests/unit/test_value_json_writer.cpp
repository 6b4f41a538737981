// sio::to_json and the json_writer: JSON.stringify semantics (PROTOCOL.md §6.6).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/json_writer.hpp"

namespace {

std::string number(double d) {
  std::string out;
  sio::detail::write_json_number(out, d);
  return out;
}

std::string date_json(std::int64_t ms) { return sio::to_json(sio::date{ms}); }

}  // namespace

TEST_CASE("json writer: numbers as ECMAScript Number::toString") {
  CHECK(number(0) == "0");
  CHECK(number(-0.0) == "0");
  CHECK(number(1) == "1");
  CHECK(number(-1) == "-1");
  CHECK(number(1.5) == "1.5");
  CHECK(number(-1.5) == "-1.5");
  CHECK(number(0.1) == "0.1");
  CHECK(number(0.1 + 0.2) == "0.30000000000000004");
  CHECK(number(123.456) == "123.456");
  CHECK(number(4.35) == "4.35");
  CHECK(number(1e20) == "100000000000000000000");
  CHECK(number(123456789012345680000.0) == "123456789012345680000");
  CHECK(number(1e21) == "1e+21");
  CHECK(number(1.2345678901234568e29) == "1.2345678901234568e+29");
  CHECK(number(0.000001) == "0.000001");
  CHECK(number(0.0000015) == "0.0000015");
  CHECK(number(0.00001234) == "0.00001234");
  CHECK(number(1e-7) == "1e-7");
  CHECK(number(1.2345e-7) == "1.2345e-7");
  CHECK(number(1.5e300) == "1.5e+300");
  CHECK(number(1e300) == "1e+300");
  CHECK(number(5e-324) == "5e-324");
  CHECK(number(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
  CHECK(number(1152921504606846976.0) == "1152921504606847000");
  CHECK(number(std::nan("")) == "null");
  CHECK(number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(number(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("json writer: C++ integers print as the double JavaScript sees") {
  CHECK(sio::to_json(sio::value(std::int64_t{1} << 60)) == "1152921504606847000");
  CHECK(sio::to_json(sio::value(std::numeric_limits<std::uint64_t>::max())) == "18446744073709552000");
  CHECK(sio::to_json(sio::value(std::numeric_limits<std::int64_t>::min())) == "-9223372036854776000");
  CHECK(sio::to_json(sio::value(42)) == "42");
  CHECK(sio::to_json(sio::value(-7)) == "-7");
}

TEST_CASE("json writer: string escaping (the string checked in PROTOCOL 6.6)") {
  const std::string input = "a\"b\\c/d\n\r\t\b\f\x01\x1f\x7f é 😀 \u2028";
  CHECK(sio::to_json(input) == "\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0001\\u001f\x7f é 😀 \u2028\"");
  CHECK(sio::to_json(std::string("\0\x0b\x1e", 3)) == R"("\u0000\u000b\u001e")");
  CHECK(sio::to_json("\u2029</script>") == "\"\u2029</script>\"");
  CHECK_THROWS_WITH_AS(sio::to_json("ok\xff"), "invalid UTF-8 in string at byte 2", sio::data_error);
  CHECK_THROWS_AS(sio::to_json(sio::value::object({{"\xc0\x80", 1}})), sio::data_error);
}

TEST_CASE("json writer: undefined is dropped in objects, null in arrays and at top level") {
  const sio::value undef = sio::value::undefined();
  CHECK(sio::to_json(undef) == "null");
  CHECK(sio::to_json(sio::value::array_type{undef, 1}) == "[null,1]");
  CHECK(sio::to_json(sio::value::object({{"a", undef}, {"b", 1}})) == R"({"b":1})");
  CHECK(sio::to_json(sio::value::object({{"a", 1}, {"b", undef}})) == R"({"a":1})");
  CHECK(sio::to_json(sio::value::object({{"a", undef}})) == "{}");
}

TEST_CASE("json writer: literals, arrays, objects, no whitespace") {
  CHECK(sio::to_json(nullptr) == "null");
  CHECK(sio::to_json(true) == "true");
  CHECK(sio::to_json(false) == "false");
  CHECK(sio::to_json(sio::value::array_type{}) == "[]");
  CHECK(sio::to_json(sio::value::object({})) == "{}");
  CHECK(sio::to_json(sio::value::object({{"b", 1}, {"2", sio::value::array_type{true, nullptr, "x"}}})) ==
        R"({"2":[true,null,"x"],"b":1})");
  CHECK(sio::to_json(sio::value(std::map<std::string, int>{{"z", 1}, {"10", 2}, {"9", 3}})) ==
        R"({"9":3,"10":2,"z":1})");
}

TEST_CASE("json writer: binary as a Node Buffer") {
  CHECK(sio::to_json(sio::binary(std::vector<std::uint8_t>{1, 2, 3})) == R"({"type":"Buffer","data":[1,2,3]})");
  CHECK(sio::to_json(sio::binary()) == R"({"type":"Buffer","data":[]})");
  CHECK(sio::to_json(sio::binary(std::vector<std::uint8_t>{0, 255})) == R"({"type":"Buffer","data":[0,255]})");
}

TEST_CASE("json writer: dates as Date.prototype.toISOString (checked with Node)") {
  CHECK(date_json(0) == R"("1970-01-01T00:00:00.000Z")");
  CHECK(date_json(-1) == R"("1969-12-31T23:59:59.999Z")");
  CHECK(date_json(1700000000000) == R"("2023-11-14T22:13:20.000Z")");
  CHECK(date_json(1700000000123) == R"("2023-11-14T22:13:20.123Z")");
  CHECK(date_json(1709164800000) == R"("2024-02-29T00:00:00.000Z")");
  CHECK(date_json(253402300799999) == R"("9999-12-31T23:59:59.999Z")");
  CHECK(date_json(253402300800000) == R"("+010000-01-01T00:00:00.000Z")");
  CHECK(date_json(-62135596800001) == R"("0000-12-31T23:59:59.999Z")");
  CHECK(date_json(-62167219200000) == R"("0000-01-01T00:00:00.000Z")");
  CHECK(date_json(-62198755200000) == R"("-000001-01-01T00:00:00.000Z")");
  CHECK(date_json(8640000000000000) == R"("+275760-09-13T00:00:00.000Z")");
  CHECK(date_json(-8640000000000000) == R"("-271821-04-20T00:00:00.000Z")");
  // Beyond ±8.64e15 ms a JavaScript Date is invalid and toJSON gives null.
  CHECK(date_json(8640000000000001) == "null");
  CHECK(date_json(std::numeric_limits<std::int64_t>::min()) == "null");
}
