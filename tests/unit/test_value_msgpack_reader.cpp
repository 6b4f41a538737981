// sio::msgpack_to_json: notepack.io's decoder followed by JSON.stringify (PROTOCOL.md §6.4, §6.5).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "test_value_support.hpp"

using sio_test::from_hex;

namespace {

std::string decode(std::string_view hex) { return sio::msgpack_to_json(from_hex(hex)); }

std::string decode_error(std::string_view hex) {
  try {
    decode(hex);
  } catch (const sio::data_error& e) {
    return e.what();
  }
  return "";
}

sio::value protocol_vectors() {
  std::ifstream in(SIO_TEST_DATA_DIR "/protocol-vectors.json");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return sio::json(text.str());
}

std::string member(const sio::value& object, std::string_view key) {
  for (const auto& [k, v] : object.as_object())
    if (k == key) return v.as_string();
  FAIL("no member " << key);
  return "";
}

}  // namespace

TEST_CASE("msgpack_to_json: what Node servers see for decoded values (PROTOCOL 6.5)") {
  CHECK(decode("cf 10 00 00 00 00 00 00 00") == "1152921504606847000");
  CHECK(decode("ca 3f 8c cc cd") == "1.100000023841858");
  CHECK(decode("82 a1 62 01 a1 32 02") == R"({"2":2,"b":1})");
  CHECK(decode("82 a1 61 01 a1 61 02") == R"({"a":2})");
  CHECK(decode("d7 ff 1d 53 53 00 65 53 f1 00") == R"("2023-11-14T22:13:20.123Z")");
  CHECK(decode("d5 05 01 02") == R"([5,{"type":"Buffer","data":[1,2]}])");
  CHECK(decode("81 a1 6b c4 02 0a 0b") == R"({"k":{"type":"Buffer","data":[10,11]}})");
  CHECK(decode("c0") == "null");
  CHECK(decode("2a") == "42");
}

TEST_CASE("msgpack_to_json: scalars") {
  CHECK(decode("c2") == "false");
  CHECK(decode("c3") == "true");
  CHECK(decode("ff") == "-1");
  CHECK(decode("d0 80") == "-128");
  CHECK(decode("cc ff") == "255");
  CHECK(decode("d3 ff ff ff ff 7f ff ff ff") == "-2147483649");
  CHECK(decode("d3 00 00 00 01 00 00 00 00") == "4294967296");
  CHECK(decode("cf ff ff ff ff ff ff ff ff") == "18446744073709552000");
  CHECK(decode("cb 3f b9 99 99 99 99 99 9a") == "0.1");
  CHECK(decode("cb 7f f8 00 00 00 00 00 00") == "null");
  CHECK(decode("a5 68 c3 a9 6c 6c") == R"("héll")");
  CHECK(decode("d9 02 22 0a") == R"("\"\n")");
  CHECK(decode("c4 00") == R"({"type":"Buffer","data":[]})");
}

TEST_CASE("msgpack_to_json: timestamps (ext -1)") {
  CHECK(decode("d6 ff 65 53 f1 00") == R"("2023-11-14T22:13:20.000Z")");
  CHECK(decode("c7 0c ff 3b 8b 87 c0 ff ff ff ff ff ff ff ff") == R"("1969-12-31T23:59:59.999Z")");
  CHECK(decode("d6 ff ff ff ff ff") == R"("2106-02-07T06:28:15.000Z")");
  CHECK(decode("d7 ff ff ff ff ff ff ff ff ff") == R"("2514-05-30T01:53:04.073Z")");  // ns rounds down
  CHECK(decode("c7 0c ff 00 00 00 00 7f ff ff ff ff ff ff ff") == "null");            // Invalid Date
  // Only d6, d7 and c7 0c are timestamps; other headers give [type, Buffer] (checked with notepack).
  CHECK(decode("c8 00 04 ff 01 02 03 04") == R"([-1,{"type":"Buffer","data":[1,2,3,4]}])");
}

TEST_CASE("msgpack_to_json: notepack 2 legacy ext 0") {
  CHECK(decode("92 01 d4 00 00") == "[1,null]");  // undefined
  CHECK(decode("81 a1 61 d4 00 00") == "{}");     // undefined member dropped
  CHECK(decode("d7 00 00 00 01 8b cf e5 68 00") == R"("2023-11-14T22:13:20.000Z")");
  CHECK(decode("c7 02 00 01 02") == "{}");  // an ArrayBuffer
  CHECK(decode("d5 00 01 02") == R"([0,{"type":"Buffer","data":[1,2]}])");
  CHECK(decode("c7 01 05 07") == R"([5,{"type":"Buffer","data":[7]}])");
}

TEST_CASE("msgpack_to_json: maps are JavaScript objects") {
  CHECK(decode("83 a1 61 01 a1 62 02 a1 61 03") == R"({"a":3,"b":2})");
  CHECK(decode("82 a9 5f 5f 70 72 6f 74 6f 5f 5f 01 a1 62 02") == R"({"b":2})");  // __proto__ vanishes
  CHECK(decode("82 01 a1 78 a1 30 a1 79") == R"({"0":"y","1":"x"})");             // number keys
  CHECK(decode("82 cb 3f f8 00 00 00 00 00 00 01 c0 02") == R"({"1.5":1,"null":2})");
  CHECK(decode("81 cb 7f f0 00 00 00 00 00 00 01") == R"({"Infinity":1})");
  CHECK(decode("81 c3 01") == R"({"true":1})");
}

TEST_CASE("msgpack_to_json: malformed input") {
  CHECK(decode_error("c1") == "malformed msgpack: parse error");  // c1 is never used
  CHECK(decode_error("92 01") == "malformed msgpack: truncated input");
  CHECK(decode_error("93 01") == "malformed msgpack: truncated input (a size is larger than the input)");
  CHECK(decode_error("") == "malformed msgpack: truncated input");
  CHECK(decode_error("01 02") == "1 trailing bytes after msgpack value");
  CHECK(decode_error("c0 c0 c0") == "2 trailing bytes after msgpack value");
  CHECK(decode_error("dd ff ff ff ff 01").starts_with("malformed msgpack: truncated"));  // no 4G-element allocation
  CHECK(decode_error("db ff ff ff ff 61").starts_with("malformed msgpack"));
  CHECK(decode_error(sio_test::repeat_hex("91", 1000) + " c0") == "malformed msgpack: nesting deeper than 512");
  CHECK(decode_error("a1 ff") == "invalid UTF-8 in string at byte 0");
  CHECK(decode_error("81 91 01 01") == "msgpack map key is an array, map or ext");
  try {
    decode("01 02");
    FAIL("no exception");
  } catch (const sio::data_error& e) {
    CHECK(e.code() == sio::errc::invalid_argument);
  }
}

TEST_CASE("msgpack_to_json: the captured protocol vectors") {
  const sio::value vectors = protocol_vectors();
  std::vector<std::string> decoded;
  for (const auto& v : vectors.as_array()) {
    if (member(v, "encoding") != "msgpack") continue;
    const std::string payload = from_hex(member(v, "payload_hex"));
    CAPTURE(member(v, "call"));
    std::string json;
    CHECK_NOTHROW(json = sio::msgpack_to_json(payload));
    decoded.push_back(json);
    // Without binary or dates, JSON.parse of the result re-encodes to the very same bytes.
    if (json.find("Buffer") == std::string::npos && json.find("T22:13:20") == std::string::npos)
      CHECK(sio_test::pack(sio::json(json)) == sio_test::to_hex(payload));
  }
  REQUIRE(decoded.size() == 13);
  CHECK(
      decoded[0] ==
      R"(["emitter",{"type":2,"data":["notification",{"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000}],"nsp":"/"},{"rooms":["user:42"],"flags":{},"except":[]}])");
  CHECK(decoded[1] == R"(["emitter",{"type":2,"data":["hello"],"nsp":"/"},{"rooms":[],"flags":{},"except":[]}])");
  CHECK(
      decoded[4] ==
      R"(["emitter",{"type":2,"data":["tick",7],"nsp":"/admin"},{"rooms":["r"],"flags":{"volatile":true,"compress":false},"except":[]}])");
  CHECK(
      decoded[5] ==
      R"(["emitter",{"type":2,"data":["bin",{"type":"Buffer","data":[1,2,3]}],"nsp":"/"},{"rooms":[],"flags":{},"except":[]}])");
  CHECK(decoded[7].find(R"(["date-ms","2023-11-14T22:13:20.123Z"])") != std::string::npos);
  CHECK(decoded[8].find(R"(["nums",-1,-200,300,70000,4294967296,-2147483649,0.1])") != std::string::npos);
  CHECK(decoded[9].find(R"(["unicode","héllo €😀"])") != std::string::npos);
  CHECK(decoded[10].find(R"(["undef",null,{"b":1}])") != std::string::npos);
  CHECK(
      decoded[12] ==
      R"({"uid":"emitter","nsp":"/","type":3,"data":{"packet":{"type":2,"data":["bin",{"type":"Buffer","data":[1,2,3]}],"nsp":"/"},"opts":{"rooms":[],"except":[],"flags":{}}}})");
}
