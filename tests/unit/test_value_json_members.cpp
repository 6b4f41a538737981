// read_json_members (JSON straight into msgpack, notify --stdin's lines) and check_msgpack_values /
// emit_msgpack (arguments given as msgpack): the same bytes as the sio::value path, or a refusal.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sio/emitter.hpp"
#include "sio/error.hpp"
#include "sio/value.hpp"
#include "support/test_values.hpp"
#include "test_value_support.hpp"
#include "sio/internal/value/json_reader.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"

using sio_test::from_hex;
using sio_test::to_hex;

namespace {

// What the value path writes for `text` (an object): its map, as read_json_members' members must rebuild it.
std::string via_values(std::string_view text, sio::detail::msgpack_dialect dialect) {
  std::string out;
  sio::detail::notepack_writer(out, dialect).value(sio::json(text));
  return to_hex(out);
}

// The map read_json_members' members make: header, then each name and the member's msgpack.
std::string via_members(const sio::json_members& m) {
  std::string out;
  sio::detail::notepack_writer w(out);
  w.map_header(static_cast<std::uint32_t>(m.members.size()));
  for (const auto& member : m.members) {
    w.string(member.name);
    w.raw(member.msgpack);
  }
  return to_hex(out);
}

std::string object_of(std::size_t members, std::string_view value) {
  std::string text = "{";
  for (std::size_t i = 0; i < members; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::string(value);
  return text + "}";
}

// The message of the sio::error `call` throws ("" when it throws none).
std::string error_of(auto&& call) { return sio::test::failure_of(call).message; }

}  // namespace

TEST_CASE("read_json_members: each member's msgpack is what the value path writes, in both dialects") {
  const std::vector<std::string> texts = {
      R"({"user":"42","type":"ORDER_UPDATED","payload":{"orderId":7},"timestamp":1764336000000})",
      R"({"a":[1,2.5,-0,0.1,-1.5e-3,1e3,"x\u00e9\ud83d\ude00",null,true,false,{},[]],"b":{"c":{"d":[]}}})",
      R"({"s":"0123456789012345678901234567890123456789","e":"","n":-9007199254740991,"m":9007199254740991})",
      R"( { "spaced" : [ 1 , { "x" : "y" } ] } )",
      R"({"__proto__":{"a":1},"constructor":2})",
      "{\"raw\":\"\xc3\xa9\xf0\x9f\x98\x80\",\"\xc3\xa9\":[\"\xe2\x82\xac\"]}",  // UTF-8 as it is, not escaped
      R"({"1a":1,"01":2,"4294967295":3,"-1":4})",           // names with digits that are no array index
      "{}",
      R"({"k":)" + object_of(15, "1") + "}",                     // the largest fixmap
      R"({"k":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]})",         // the largest fixarray
      R"({"k":)" + object_of(16, "1") + "}",                     // a map16 header, written after its members
      R"({"k":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]})",  // an array16 header
      R"({"k":[)" + [] {
        std::string s;
        for (int i = 0; i < 70000; ++i) s += (i ? ",1" : "1");
        return s;
      }() + "]}",  // an array32 header
  };
  sio::json_members m;
  for (const auto& text : texts) {
    CAPTURE(text.substr(0, 120));
    REQUIRE(sio::read_json_members(text, m));
    CHECK(via_members(m) == via_values(text, sio::detail::msgpack_dialect::notepack));
    CHECK(via_members(m) == via_values(text, sio::detail::msgpack_dialect::msgpack_javascript));
  }
}

TEST_CASE("read_json_members: scalars are given as values too, names and strings unescaped") {
  sio::json_members m;
  REQUIRE(sio::read_json_members(R"({"u\u0073er":"a\"b","n":1.5e1,"t":true,"z":null,"p":{"x":[1]}})", m));
  REQUIRE(m.members.size() == 5);
  CHECK(m.members[0].name == "user");
  CHECK(m.members[0].kind == sio::value::kind::string);
  CHECK(m.members[0].string == "a\"b");
  CHECK(m.members[1].kind == sio::value::kind::number);
  CHECK(m.members[1].number == 15.0);
  CHECK(to_hex(m.members[1].msgpack) == "0f");
  CHECK(m.members[2].kind == sio::value::kind::boolean);
  CHECK(m.members[2].boolean);
  CHECK(m.members[3].kind == sio::value::kind::null);
  CHECK(m.members[4].kind == sio::value::kind::object);
  CHECK(to_hex(m.members[4].msgpack) == "81 a1 78 91 01");
  // Reused: the next text replaces everything.
  REQUIRE(sio::read_json_members(R"({"only":"one"})", m));
  REQUIRE(m.members.size() == 1);
  CHECK(m.members[0].string == "one");
}

TEST_CASE("read_json_members: what it leaves to sio::json, without throwing") {
  sio::json_members m;
  for (const std::string& text : std::vector<std::string>{
           std::string(R"({"a":1,"a":2})"),                      // repeated name: JSON.parse keeps the last value
           std::string(R"({"p":{"x":1,"x":2}})"),                // at any depth
           std::string(R"({"p":{"b":1,"1":2}})"),                // an array-index name moves first
           std::string(R"({"0":1})"),
           R"({"p":)" + object_of(65, "1") + "}",                // more members than it compares names among
           std::string(R"({"p":9007199254740992})"),             // integral beyond 2^53: the dialects differ
           std::string(R"({"p":-1e300})"),
           std::string(R"({"p":1e400})"),                        // beyond the double range
           std::string(R"([1,2])"),                              // not an object
           std::string(R"("text")"),
           std::string(R"({"p":1} x)"),                          // not JSON
           std::string(R"({"p":1)"),
           std::string("{\"p\":1}\0", 8),                        // an embedded NUL
           std::string(R"({"p":"\udc00"})"),                     // a lone surrogate
           std::string("{\"p\":\"\xff\"}"),                         // invalid UTF-8 (the non-ASCII path)
           std::string("{\"p\xc3\":1}"),
           std::string(513, '[') + std::string(513, ']'),
           R"({"p":)" + std::string(600, '[') + std::string(600, ']') + "}",
       }) {
    CAPTURE(text.substr(0, 80));
    CHECK_FALSE(sio::read_json_members(text, m));
  }
  // The same lines parse, or fail, through sio::json as before.
  CHECK(sio::json(R"({"a":1,"a":2})").find("a")->as_number() == 2);
}

TEST_CASE("check_msgpack_values: bytes a server decodes, else the first fault") {
  using sio::detail::check_msgpack_values;
  CHECK_NOTHROW(check_msgpack_values(from_hex("81 a1 61 01 c0"), 2));  // {a: 1}, null
  CHECK_NOTHROW(check_msgpack_values(from_hex("d6 ff 00 00 00 01"), 1));  // a Date
  CHECK_NOTHROW(check_msgpack_values("", 0));
  CHECK(error_of([] { check_msgpack_values(from_hex("81 a1 61"), 1); }) == "msgpack argument 1 of 1: truncated msgpack");
  CHECK(error_of([] { check_msgpack_values(from_hex("01"), 2); }) == "msgpack argument 2 of 2: truncated msgpack");
  CHECK(error_of([] { check_msgpack_values(from_hex("01 02"), 1); }) == "1 bytes after the 1 msgpack arguments");
  CHECK(error_of([] { check_msgpack_values(from_hex("a2 c3 28"), 1); }) == "invalid UTF-8 in string at byte 0");
  CHECK(error_of([] { check_msgpack_values(from_hex("81 01 02"), 1); }) ==
        "msgpack argument 1 of 1: an object key that is not a string");
  CHECK(error_of([] { check_msgpack_values(from_hex("81 90 02"), 1); }) ==
        "msgpack argument 1 of 1: an object key that is not a string");
  CHECK(error_of([] { check_msgpack_values(from_hex("d4 05 00"), 1); }) ==
        "msgpack argument 1 of 1: an ext other than a timestamp (a Date)");
  CHECK(error_of([] { check_msgpack_values(from_hex("c1"), 1); }) == "msgpack argument 1 of 1: malformed msgpack");
  CHECK(error_of([] { check_msgpack_values(std::string(600, '\x91') + '\x01', 1); }) ==
        "msgpack argument 1 of 1: nesting deeper than 512");
}

TEST_CASE("emit_msgpack publishes the bytes emit_args would, in every adapter, and bad bytes publish nothing") {
  const auto payload = sio::json(R"({"type":"ORDER_UPDATED","payload":{"orderId":7,"b":"\u00e9"},"timestamp":1})");
  std::string encoded;
  sio::detail::notepack_writer(encoded).value(payload);
  for (const auto mode : {sio::Options::adapter_mode::classic, sio::Options::adapter_mode::sharded,
                          sio::Options::adapter_mode::streams}) {
    CAPTURE(static_cast<int>(mode));
    const sio::Emitter io{sio::Options{.mode = mode, .dry_run = true}};
    const auto target = io.to("user:42").except("muted");
    const std::vector<sio::value> args{payload, sio::value(2)};
    const auto expected = target.emit_sync_args("notification", args);
    const auto published =
        target.emit_msgpack_sync("notification", sio::msgpack_args{encoded + std::string("\x02"), 2});
    CHECK(to_hex(published.payload) == to_hex(expected.payload));
    CHECK(published.channel == expected.channel);
    CHECK(error_of([&] { target.emit_msgpack_sync("notification", sio::msgpack_args{encoded, 2}); }) ==
          "msgpack argument 2 of 2: truncated msgpack");
    // A string's fault is named as encoding the value names it.
    CHECK(error_of([&] { target.emit_msgpack("notification", sio::msgpack_args{from_hex("a1 ff"), 1}); }) ==
          error_of([&] { target.emit_sync("notification", sio::value(std::string("\xff"))); }));
  }
  // A binary argument: the sharded adapter then writes msgpack (hasBinary), as for the value.
  const sio::Emitter sharded{sio::Options{.mode = sio::Options::adapter_mode::sharded, .dry_run = true}};
  const std::vector<sio::value> bin{sio::value(sio::binary(std::string_view("\x01\x02", 2)))};
  CHECK(to_hex(sharded.emit_msgpack_sync("e", sio::msgpack_args{from_hex("c4 02 01 02"), 1}).payload) ==
        to_hex(sharded.emit_sync_args("e", bin).payload));
}
