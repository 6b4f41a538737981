// sio::value: construction, JavaScript key order, accessors, equality.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "sio/error.hpp"
#include "sio/value.hpp"

namespace {

std::string keys_of(const sio::value& v) {
  std::string out;
  for (const auto& [key, member] : v.as_object()) out += key + ",";
  return out;
}

// The message of the data_error(invalid_argument) that f throws.
template <class F>
std::string wrong_kind(F f) {
  try {
    f();
  } catch (const sio::data_error& e) {
    CHECK(e.code() == sio::errc::invalid_argument);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("value::object: array-index keys first, ascending - other keys in insertion order") {
  const sio::value v = sio::value::object({{"b", 1}, {"2", 2}, {"a", 3}, {"1", 4}});
  CHECK(keys_of(v) == "1,2,b,a,");
  CHECK(v.as_object()[0].second.as_int64() == 4);
  CHECK(keys_of(sio::value::object({{"10", 0}, {"9", 0}, {"0", 0}, {"4294967294", 0}, {"4294967295", 0}})) ==
        "0,9,10,4294967294,4294967295,");
  // Not array indices: leading zero, sign, fraction, exponent, spaces, empty, beyond 2^32-2.
  CHECK(keys_of(sio::value::object({{"z", 0},
                                    {"00", 0},
                                    {"01", 0},
                                    {"-0", 0},
                                    {"+1", 0},
                                    {"1.0", 0},
                                    {"1e3", 0},
                                    {" 1", 0},
                                    {"", 0},
                                    {"99999999999", 0},
                                    {"7", 0}})) == "7,z,00,01,-0,+1,1.0,1e3, 1,,99999999999,");
}

TEST_CASE("value::object: a duplicate key keeps its first position and its last value") {
  const sio::value v = sio::value::object({{"a", 1}, {"b", 2}, {"a", 3}, {"5", 4}, {"5", 5}});
  CHECK(keys_of(v) == "5,a,b,");
  CHECK(v.as_object()[0].second.as_int64() == 5);
  CHECK(v.as_object()[1].second.as_int64() == 3);
  CHECK(v.as_object()[2].second.as_int64() == 2);
  // A duplicate that is undefined still replaces the value (and so drops the member when encoded).
  const sio::value dropped = sio::value::object({{"a", 1}, {"a", sio::value::undefined()}});
  CHECK(dropped.as_object().size() == 1);
  CHECK(dropped.as_object()[0].second.is_undefined());
}

TEST_CASE("value: construction from C++ types") {
  CHECK(sio::value().is_null());
  CHECK(sio::value(nullptr).type() == sio::value::kind::null);
  CHECK(sio::value(true).type() == sio::value::kind::boolean);
  CHECK(sio::value(1.5).type() == sio::value::kind::number);
  CHECK(sio::value(1.5f).type() == sio::value::kind::number);
  CHECK(sio::value(-3).type() == sio::value::kind::integer);
  CHECK(sio::value(3u).type() == sio::value::kind::unsigned_integer);
  CHECK(sio::value("s").type() == sio::value::kind::string);
  CHECK(sio::value(std::string_view("s")).type() == sio::value::kind::string);
  CHECK(sio::value(sio::binary("ab")).as_binary().bytes == std::vector<std::uint8_t>{'a', 'b'});
  CHECK(sio::value(sio::date{5}).as_date().ms_since_epoch == 5);
  CHECK(sio::value(std::vector<int>{1, 2}).as_array().size() == 2);
  CHECK(sio::value(std::optional<int>{}).is_undefined());
  CHECK(sio::value(std::optional<int>{4}).as_int64() == 4);
  CHECK(sio::value::undefined().type() == sio::value::kind::undefined);
  // Maps take JavaScript order too.
  CHECK(keys_of(sio::value(std::map<std::string, int>{{"b", 1}, {"3", 2}, {"a", 3}})) == "3,a,b,");
  CHECK(keys_of(sio::value(std::unordered_map<std::string, int>{{"7", 1}, {"2", 2}})) == "2,7,");
}

TEST_CASE("value: accessors convert between numeric kinds when exact") {
  CHECK(sio::value(7).as_number() == 7.0);
  CHECK(sio::value(7u).as_number() == 7.0);
  CHECK(sio::value(7.0).as_int64() == 7);
  CHECK(sio::value(7.0).as_uint64() == 7);
  CHECK(sio::value(-7).as_int64() == -7);
  CHECK(sio::value(7).as_uint64() == 7);
  CHECK(sio::value(std::uint64_t{7}).as_int64() == 7);
  CHECK(sio::value(-9223372036854775808.0).as_int64() == std::numeric_limits<std::int64_t>::min());
  CHECK(wrong_kind([] { (void)sio::value(7.5).as_int64(); }) == "expected int64, got number 7.5");
  CHECK(wrong_kind([] { (void)sio::value(-1).as_uint64(); }) == "expected uint64, got integer -1");
  CHECK(wrong_kind([] { (void)sio::value(9223372036854775808.0).as_int64(); }).starts_with("expected int64"));
  CHECK(wrong_kind([] { (void)sio::value(18446744073709551616.0).as_uint64(); }).starts_with("expected uint64"));
  CHECK(wrong_kind([] { (void)sio::value(std::nan("")).as_int64(); }).starts_with("expected int64"));
  CHECK(wrong_kind([] {
          (void)sio::value(std::numeric_limits<std::uint64_t>::max()).as_int64();
        }).starts_with("expected int64"));
}

TEST_CASE("value: accessors throw data_error naming expected and actual kinds") {
  CHECK(wrong_kind([] { (void)sio::value(1).as_string(); }) == "expected string, got integer");
  CHECK(wrong_kind([] { (void)sio::value("x").as_number(); }) == "expected number, got string");
  CHECK(wrong_kind([] { (void)sio::value().as_bool(); }) == "expected boolean, got null");
  CHECK(wrong_kind([] { (void)sio::value::undefined().as_array(); }) == "expected array, got undefined");
  CHECK(wrong_kind([] { (void)sio::value(true).as_object(); }) == "expected object, got boolean");
  CHECK(wrong_kind([] { (void)sio::value(1.5).as_binary(); }) == "expected binary, got number");
  CHECK(wrong_kind([] { (void)sio::value(2u).as_date(); }) == "expected date, got unsigned integer");
  CHECK(wrong_kind([] { (void)sio::value(sio::date{}).as_int64(); }) == "expected int64, got date");
  CHECK(wrong_kind([] { (void)sio::value(sio::binary()).as_uint64(); }) == "expected uint64, got binary");
  CHECK(wrong_kind([] { (void)sio::value::object({}).as_string(); }) == "expected string, got object");
  CHECK(wrong_kind([] { (void)sio::value(sio::value::array_type{}).as_object(); }) == "expected object, got array");
}

TEST_CASE("value: equality is deep - numbers compare by mathematical value") {
  const sio::value built =
      sio::value::array_type{1, sio::value::object({{"a", sio::value::array_type{true, nullptr}}})};
  CHECK(sio::json(R"([1,{"a":[true,null]}])") == built);
  CHECK_FALSE(sio::json(R"([1,{"a":[true,false]}])") == built);
  CHECK_FALSE(sio::json(R"([1,{"b":[true,null]}])") == built);
  CHECK_FALSE(sio::json(R"([1])") == built);
  CHECK(sio::value(1) == sio::value(1.0));
  CHECK(sio::value(1u) == sio::value(1));
  CHECK(sio::value(-0.0) == sio::value(0));
  CHECK_FALSE(sio::value(-1) == sio::value(std::numeric_limits<std::uint64_t>::max()));
  CHECK_FALSE(sio::value((std::int64_t{1} << 53) + 1) == sio::value(9007199254740992.0));
  CHECK_FALSE(sio::value(std::nan("")) == sio::value(std::nan("")));
  CHECK_FALSE(sio::value(1) == sio::value("1"));
  CHECK_FALSE(sio::value() == sio::value::undefined());
  CHECK(sio::value::undefined() == sio::value::undefined());
  CHECK(sio::value("é") == sio::value(std::string("é")));
  CHECK(sio::value(sio::binary("ab")) == sio::value(sio::binary("ab")));
  CHECK_FALSE(sio::value(sio::date{1}) == sio::value(sio::date{2}));
  // Objects compare in JavaScript order, so insertion order of index keys does not matter.
  CHECK(sio::value::object({{"2", 1}, {"1", 2}}) == sio::value::object({{"1", 2}, {"2", 1}}));
  CHECK_FALSE(sio::value::object({{"a", 1}, {"b", 2}}) == sio::value::object({{"b", 2}, {"a", 1}}));
}

TEST_CASE("value: copies share arrays and objects") {
  const sio::value a = sio::value(std::vector<int>{1, 2, 3});
  const sio::value b = a;  // NOLINT(performance-unnecessary-copy-initialization)
  CHECK(&a.as_array() == &b.as_array());
}

TEST_CASE("value: find is obj[key] of an object and nullptr otherwise, is_number covers every numeric kind") {
  const sio::value object = sio::json(R"({"a":1,"b":{"c":"x"},"a":2})");
  REQUIRE(object.find("a") != nullptr);
  CHECK(object.find("a")->as_number() == 2);  // JSON.parse: the last of a repeated name
  CHECK(object.find("b")->find("c")->as_string() == "x");
  CHECK(object.find("z") == nullptr);
  CHECK(sio::json("[1]").find("0") == nullptr);
  CHECK(sio::value(nullptr).find("a") == nullptr);
  CHECK(sio::value::undefined().find("a") == nullptr);
  CHECK(sio::value(1.5).is_number());
  CHECK(sio::value(std::int64_t{-3}).is_number());
  CHECK(sio::value(std::uint64_t{3}).is_number());
  CHECK_FALSE(sio::value("1").is_number());
  CHECK_FALSE(sio::value(true).is_number());
  CHECK_FALSE(sio::value::undefined().is_number());
}
