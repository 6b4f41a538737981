// sio::detail::decode_msgpack: the value notepack.io 3.0.1's decoder gives a Node server (PROTOCOL.md §6.4).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "test_value_support.hpp"
#include "sio/internal/value/msgpack_reader.hpp"

using sio_test::from_hex;

namespace {

sio::value decode(std::string_view hex) { return sio::detail::decode_msgpack(from_hex(hex)); }

std::string decode_error(std::string_view hex) {
  try {
    decode(hex);
  } catch (const sio::data_error& e) {
    CHECK(e.code() == sio::errc::invalid_argument);
    return e.what();
  }
  return "";
}

sio::binary bytes(std::initializer_list<std::uint8_t> b) { return sio::binary(std::vector<std::uint8_t>(b)); }

}  // namespace

TEST_CASE("decode_msgpack: scalars keep their JavaScript kind") {
  CHECK(decode("c0").is_null());
  CHECK(decode("c3") == sio::value(true));
  CHECK(decode("c2") == sio::value(false));
  CHECK(decode("2a").type() == sio::value::kind::number);
  CHECK(decode("2a").as_number() == 42.0);
  CHECK(decode("ff").as_number() == -1.0);
  CHECK(decode("d1 ff 38").as_number() == -200.0);
  CHECK(decode("a5 68 65 6c 6c 6f").as_string() == "hello");
  CHECK(decode("a0").as_string().empty());
}

TEST_CASE("decode_msgpack: 64-bit integers become hi*2^32+lo doubles, float32 is widened") {
  CHECK(decode("cf 10 00 00 00 00 00 00 00").as_number() == 1152921504606846976.0);
  CHECK(decode("cf 00 20 00 00 00 00 00 01").as_number() == 9007199254740992.0);  // 2^53+1 rounds
  CHECK(decode("d3 ff ff ff ff 7f ff ff ff").as_number() == -2147483649.0);
  CHECK(decode("ca 3f 8c cc cd").as_number() == static_cast<double>(1.1f));
  CHECK(std::isnan(decode("cb 7f f8 00 00 00 00 00 00").as_number()));
}

TEST_CASE("decode_msgpack: bin is a Buffer, ext -1 a Date, other ext [type, Buffer]") {
  CHECK(decode("c4 03 01 02 03") == sio::value(bytes({1, 2, 3})));
  CHECK(decode("c4 00") == sio::value(sio::binary()));
  CHECK(decode("d6 ff 65 53 f1 00") == sio::value(sio::date{1700000000000}));
  CHECK(decode("d7 ff 1d 53 53 00 65 53 f1 00") == sio::value(sio::date{1700000000123}));
  CHECK(decode("c7 0c ff 3b 8b 87 c0 ff ff ff ff ff ff ff ff") == sio::value(sio::date{-1}));
  CHECK(decode("d5 05 01 02") == sio::value(sio::value::array_type{5.0, bytes({1, 2})}));
}

TEST_CASE("decode_msgpack: notepack 2 legacy ext 0 (undefined, Date, ArrayBuffer as binary)") {
  CHECK(decode("d4 00 00").is_undefined());
  CHECK(decode("d7 00 00 00 01 8b cf e5 68 00") == sio::value(sio::date{1700000000000}));
  // An ArrayBuffer: socket.io-parser sends it as an attachment, so it is binary here (msgpack_to_json prints {}).
  CHECK(decode("c7 02 00 0a 0b") == sio::value(bytes({10, 11})));
  CHECK(sio::msgpack_to_json(from_hex("c7 02 00 0a 0b")) == "{}");
}

TEST_CASE("decode_msgpack: maps are plain objects (JS key order, last duplicate wins, __proto__ vanishes)") {
  const sio::value v = decode("83 a1 62 01 a1 32 02 a9 5f 5f 70 72 6f 74 6f 5f 5f 03");
  REQUIRE(v.type() == sio::value::kind::object);
  const auto& members = v.as_object();
  REQUIRE(members.size() == 2);
  CHECK(members[0].first == "2");
  CHECK(members[1].first == "b");
  CHECK(sio::to_json(decode("82 a1 61 01 a1 61 02")) == R"({"a":2})");
  CHECK(sio::to_json(decode("81 01 a1 78")) == R"({"1":"x"})");  // a number key becomes its String()
}

TEST_CASE("decode_msgpack: the emitter's broadcast [uid, packet, opts] (PROTOCOL 9.1)") {
  const sio::value v = decode(
      "93 a7 65 6d 69 74 74 65 72 83 a4 74 79 70 65 02 a4 64 61 74 61 92 ac 6e 6f 74 69 66 69 63 61 74"
      "69 6f 6e 83 a4 74 79 70 65 ad 4f 52 44 45 52 5f 55 50 44 41 54 45 44 a7 70 61 79 6c 6f 61 64 81"
      "a2 69 64 01 a9 74 69 6d 65 73 74 61 6d 70 cf 00 00 01 8b cf e5 68 00 a3 6e 73 70 a1 2f 83 a5 72"
      "6f 6f 6d 73 91 a7 75 73 65 72 3a 34 32 a5 66 6c 61 67 73 80 a6 65 78 63 65 70 74 90");
  CHECK(sio::to_json(v) ==
        R"(["emitter",{"type":2,"data":["notification",{"type":"ORDER_UPDATED","payload":{"id":1},)"
        R"("timestamp":1700000000000}],"nsp":"/"},{"rooms":["user:42"],"flags":{},"except":[]}])");
}

TEST_CASE("decode_msgpack: malformed input throws data_error naming the fault") {
  CHECK(decode_error("c1").find("malformed msgpack") != std::string::npos);
  CHECK(decode_error("92 01") == "malformed msgpack: truncated input");
  CHECK(decode_error("01 02") == "1 trailing bytes after msgpack value");
  CHECK(decode_error("").find("malformed msgpack") != std::string::npos);
  CHECK(decode_error("db ff ff ff ff").find("malformed msgpack") != std::string::npos);
}
