// notepack.io 3.0.1 encoding (PROTOCOL.md §6.1-6.3): exact bytes for every rule.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sio/error.hpp"
#include "sio/value.hpp"
#include "test_value_support.hpp"

using sio_test::pack;
using sio_test::repeat_hex;

namespace {

std::string pack_number(double d) { return pack(sio::value(d)); }

std::string string_of(std::size_t n) { return std::string(n, 'x'); }

sio::value binary_of(std::size_t n) { return sio::binary(std::vector<std::uint8_t>(n, 7)); }

}  // namespace

TEST_CASE("notepack: non-negative integral doubles use unsigned forms (PROTOCOL 6.1)") {
  CHECK(pack_number(0) == "00");
  CHECK(pack_number(127) == "7f");
  CHECK(pack_number(128) == "cc 80");
  CHECK(pack_number(255) == "cc ff");
  CHECK(pack_number(256) == "cd 01 00");
  CHECK(pack_number(65535) == "cd ff ff");
  CHECK(pack_number(65536) == "ce 00 01 00 00");
  CHECK(pack_number(4294967295.0) == "ce ff ff ff ff");
  CHECK(pack_number(4294967296.0) == "cf 00 00 00 01 00 00 00 00");
  CHECK(pack_number(9007199254740991.0) == "cf 00 1f ff ff ff ff ff ff");
  CHECK(pack_number(9007199254740992.0) == "cf 00 20 00 00 00 00 00 00");
  CHECK(pack_number(9007199254740994.0) == "cf 00 20 00 00 00 00 00 02");
  CHECK(pack_number(9223372036854775808.0) == "cf 80 00 00 00 00 00 00 00");
}

TEST_CASE("notepack: integral doubles of 2^64 and beyond wrap mod 2^64 like notepack") {
  CHECK(pack_number(18446744073709551616.0) == "cf 00 00 00 00 00 00 00 00");
  CHECK(pack_number(1e20) == "cf 6b c7 5e 2d 63 10 00 00");
  CHECK(pack_number(1e300) == "cf 00 00 00 00 00 00 00 00");
  CHECK(pack_number(1.5 * 18446744073709551616.0) == "cf 80 00 00 00 00 00 00 00");
  CHECK(pack_number(std::numeric_limits<double>::max()) == "cf 00 00 00 00 00 00 00 00");
}

TEST_CASE("notepack: -0 counts as >= 0") { CHECK(pack_number(-0.0) == "00"); }

TEST_CASE("notepack: negative integral doubles (PROTOCOL 6.1)") {
  CHECK(pack_number(-1) == "ff");
  CHECK(pack_number(-32) == "e0");
  CHECK(pack_number(-33) == "d0 df");
  CHECK(pack_number(-128) == "d0 80");
  CHECK(pack_number(-129) == "d1 ff 7f");
  CHECK(pack_number(-32768) == "d1 80 00");
  CHECK(pack_number(-32769) == "d2 ff ff 7f ff");
  CHECK(pack_number(-2147483648.0) == "d2 80 00 00 00");
  CHECK(pack_number(-2147483649.0) == "d3 ff ff ff ff 7f ff ff ff");
  CHECK(pack_number(-9007199254740992.0) == "d3 ff e0 00 00 00 00 00 00");
  CHECK(pack_number(-9007199254740994.0) == "d3 ff df ff ff ff ff ff fe");
  CHECK(pack_number(-9223372036854775808.0) == "d3 80 00 00 00 00 00 00 00");
  CHECK(pack_number(-18446744073709551616.0) == "d3 00 00 00 00 00 00 00 00");
  // The double just below -2^63 wraps too (checked with notepack.io 3.0.1).
  CHECK(pack_number(-9223372036854777856.0) == "d3 7f ff ff ff ff ff f8 00");
  CHECK(pack_number(-1e300) == "d3 00 00 00 00 00 00 00 00");
}

TEST_CASE("notepack: non-integral, NaN and infinities are float64, never float32") {
  CHECK(pack_number(0.5) == "cb 3f e0 00 00 00 00 00 00");
  CHECK(pack_number(1.1) == "cb 3f f1 99 99 99 99 99 9a");
  CHECK(pack_number(3.14) == "cb 40 09 1e b8 51 eb 85 1f");
  CHECK(pack_number(1e-7) == "cb 3e 7a d7 f2 9a bc af 48");
  CHECK(pack_number(-0.5) == "cb bf e0 00 00 00 00 00 00");
  CHECK(pack_number(std::nan("")) == "cb 7f f8 00 00 00 00 00 00");
  CHECK(pack_number(-std::nan("")) == "cb 7f f8 00 00 00 00 00 00");  // JavaScript has one NaN
  CHECK(pack_number(std::numeric_limits<double>::infinity()) == "cb 7f f0 00 00 00 00 00 00");
  CHECK(pack_number(-std::numeric_limits<double>::infinity()) == "cb ff f0 00 00 00 00 00 00");
  CHECK(pack(sio::value(1.1f)) == "cb 3f f1 99 99 a0 00 00 00");  // a float is widened, still cb
}

TEST_CASE("notepack: typed C++ integers take the same smallest forms, exactly") {
  CHECK(pack(sio::value(0)) == "00");
  CHECK(pack(sio::value(127)) == "7f");
  CHECK(pack(sio::value(128)) == "cc 80");
  CHECK(pack(sio::value(200u)) == "cc c8");
  CHECK(pack(sio::value(std::uint16_t{65535})) == "cd ff ff");
  CHECK(pack(sio::value(65536)) == "ce 00 01 00 00");
  CHECK(pack(sio::value(std::int64_t{4294967296})) == "cf 00 00 00 01 00 00 00 00");
  CHECK(pack(sio::value(std::int64_t{1} << 60)) == "cf 10 00 00 00 00 00 00 00");
  CHECK(pack(sio::value((std::int64_t{1} << 53) + 1)) == "cf 00 20 00 00 00 00 00 01");  // not rounded
  CHECK(pack(sio::value(std::numeric_limits<std::uint64_t>::max())) == "cf ff ff ff ff ff ff ff ff");
  CHECK(pack(sio::value(-1)) == "ff");
  CHECK(pack(sio::value(-32)) == "e0");
  CHECK(pack(sio::value(-33)) == "d0 df");
  CHECK(pack(sio::value(std::int8_t{-128})) == "d0 80");
  CHECK(pack(sio::value(-129)) == "d1 ff 7f");
  CHECK(pack(sio::value(std::int16_t{-32768})) == "d1 80 00");
  CHECK(pack(sio::value(-32769)) == "d2 ff ff 7f ff");
  CHECK(pack(sio::value(std::numeric_limits<std::int32_t>::min())) == "d2 80 00 00 00");
  CHECK(pack(sio::value(std::int64_t{-2147483649})) == "d3 ff ff ff ff 7f ff ff ff");
  CHECK(pack(sio::value(std::numeric_limits<std::int64_t>::min())) == "d3 80 00 00 00 00 00 00 00");
}

TEST_CASE("notepack: nil, booleans, undefined") {
  CHECK(pack(sio::value(nullptr)) == "c0");
  CHECK(pack(sio::value()) == "c0");
  CHECK(pack(sio::value(true)) == "c3");
  CHECK(pack(sio::value(false)) == "c2");
  CHECK(pack(sio::value::undefined()) == "c0");
  CHECK(pack(sio::value(std::optional<int>{})) == "c0");
  CHECK(pack(sio::value::array_type{sio::value::undefined(), 1}) == "92 c0 01");
}

TEST_CASE("notepack: string headers by UTF-8 byte length (PROTOCOL 6.2)") {
  CHECK(pack(sio::value("")) == "a0");
  CHECK(pack(sio::value(string_of(31))) == "bf " + repeat_hex("78", 31));
  CHECK(pack(sio::value(string_of(32))) == "d9 20 " + repeat_hex("78", 32));
  CHECK(pack(sio::value(string_of(255))) == "d9 ff " + repeat_hex("78", 255));
  CHECK(pack(sio::value(string_of(256))) == "da 01 00 " + repeat_hex("78", 256));
  CHECK(pack(sio::value(string_of(65535))) == "da ff ff " + repeat_hex("78", 65535));
  CHECK(pack(sio::value(string_of(65536))) == "db 00 01 00 00 " + repeat_hex("78", 65536));
}

TEST_CASE("notepack: unicode strings are their UTF-8 bytes") {
  CHECK(pack(sio::value("é")) == "a2 c3 a9");
  CHECK(pack(sio::value("€")) == "a3 e2 82 ac");
  CHECK(pack(sio::value("😀")) == "a4 f0 9f 98 80");
  CHECK(pack(sio::value("héllo €😀")) == "ae 68 c3 a9 6c 6c 6f 20 e2 82 ac f0 9f 98 80");
  // 16 × "é" is 32 bytes: the length is counted in bytes, not characters.
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += "é";
  CHECK(pack(sio::value(sixteen)).substr(0, 5) == "d9 20");
}

TEST_CASE("notepack: invalid UTF-8 is refused, in values and in keys") {
  const auto refuses = [](const sio::value& v) {
    std::string out;
    try {
      sio::detail::notepack_writer(out).value(v);
    } catch (const sio::data_error& e) {
      return e.code() == sio::errc::invalid_utf8;
    }
    return false;
  };
  CHECK(refuses(sio::value("\xff")));
  CHECK(refuses(sio::value("ok\xc0\xaf")));        // overlong '/'
  CHECK(refuses(sio::value("\xed\xa0\x80")));      // a UTF-16 surrogate
  CHECK(refuses(sio::value("\xf4\x90\x80\x80")));  // above U+10FFFF
  CHECK(refuses(sio::value::array_type{1, "\xe2\x82"}));
  CHECK(refuses(sio::value::object({{"k\xff", 1}})));
  CHECK_THROWS_WITH_AS(pack(sio::value("ab\xff")), "invalid UTF-8 in string at byte 2", sio::data_error);
}

TEST_CASE("notepack: binary headers (PROTOCOL 6.3)") {
  CHECK(pack(sio::binary(std::vector<std::uint8_t>{1, 2, 3})) == "c4 03 01 02 03");
  CHECK(pack(sio::binary()) == "c4 00");
  CHECK(pack(binary_of(255)) == "c4 ff " + repeat_hex("07", 255));
  CHECK(pack(binary_of(256)) == "c5 01 00 " + repeat_hex("07", 256));
  CHECK(pack(binary_of(65535)) == "c5 ff ff " + repeat_hex("07", 65535));
  CHECK(pack(binary_of(65536)) == "c6 00 01 00 00 " + repeat_hex("07", 65536));
}

TEST_CASE("notepack: dates as timestamp ext -1 (PROTOCOL 6.3)") {
  const auto pack_date = [](std::int64_t ms) { return pack(sio::date{ms}); };
  CHECK(pack_date(1700000000000) == "d6 ff 65 53 f1 00");
  CHECK(pack_date(1700000000123) == "d7 ff 1d 53 53 00 65 53 f1 00");
  CHECK(pack_date(-1) == "c7 0c ff 3b 8b 87 c0 ff ff ff ff ff ff ff ff");
  // Boundaries, checked with notepack.io 3.0.1:
  CHECK(pack_date(0) == "d6 ff 00 00 00 00");
  CHECK(pack_date(4294967295000) == "d6 ff ff ff ff ff");
  CHECK(pack_date(4294967296000) == "d7 ff 00 00 00 01 00 00 00 00");
  CHECK(pack_date(17179869183001) == "d7 ff 00 3d 09 03 ff ff ff ff");
  CHECK(pack_date(17179869184000) == "c7 0c ff 00 00 00 00 00 00 00 04 00 00 00 00");
  CHECK(pack_date(-1500) == "c7 0c ff 1d cd 65 00 ff ff ff ff ff ff ff fe");
  CHECK(pack_date(8640000000000000) == "c7 0c ff 00 00 00 00 00 00 07 db a8 21 80 00");
  // Beyond ±8.64e15 ms JavaScript has an Invalid Date, which notepack writes as zeros.
  CHECK(pack_date(8640000000000001) == "c7 0c ff 00 00 00 00 00 00 00 00 00 00 00 00");
  CHECK(pack_date(std::numeric_limits<std::int64_t>::min()) == "c7 0c ff " + repeat_hex("00", 12));
}

TEST_CASE("notepack: array and map headers") {
  CHECK(pack(sio::value::array_type{}) == "90");
  CHECK(pack(sio::value(std::vector<int>(15, 1))) == "9f " + repeat_hex("01", 15));
  CHECK(pack(sio::value(std::vector<int>(16, 1))) == "dc 00 10 " + repeat_hex("01", 16));
  CHECK(pack(sio::value(std::vector<int>(65535, 1))).substr(0, 8) == "dc ff ff");
  CHECK(pack(sio::value(std::vector<int>(65536, 1))).substr(0, 14) == "dd 00 01 00 00");
  sio::value::object_type members;
  for (int i = 0; i < 16; ++i) members.emplace_back(std::string(1, static_cast<char>('a' + i)), i);
  CHECK(pack(sio::value::object(members)).substr(0, 14) == "de 00 10 a1 61");
  CHECK(pack(sio::value::object({})) == "80");
}

TEST_CASE("notepack: object keys in JavaScript order (PROTOCOL 6.3)") {
  CHECK(pack(sio::json(R"({"b":1,"2":2,"a":3,"1":4})")) == "84 a1 31 04 a1 32 02 a1 62 01 a1 61 03");
  // keys 0, 1, 4294967294, b, 4294967295, 01, -1, 1.5, a
  CHECK(pack(sio::json(R"({"b":1,"4294967295":2,"4294967294":3,"01":4,"1":5,"-1":6,"1.5":7,"0":8,"a":9,"b":10})")) ==
        "89 a1 30 08 a1 31 05 aa 34 32 39 34 39 36 37 32 39 34 03 a1 62 0a aa 34 32 39 34 39 36 37 32 39 35 02 "
        "a2 30 31 04 a2 2d 31 06 a3 31 2e 35 07 a1 61 09");
}

TEST_CASE("notepack: undefined members are dropped and not counted") {
  const sio::value undef = sio::value::undefined();
  CHECK(pack(sio::value::object({{"a", undef}, {"b", 1}})) == "81 a1 62 01");
  CHECK(pack(sio::value::object({{"a", undef}})) == "80");
  CHECK(pack(sio::value::object({{"a", std::optional<int>{}}, {"b", std::optional<int>{2}}})) == "81 a1 62 02");
  // emit("undef", undefined, {a: undefined, b: 1}) from PROTOCOL 9.2
  CHECK(pack(sio::value::array_type{"undef", undef, sio::value::object({{"a", undef}, {"b", 1}})}) ==
        "93 a5 75 6e 64 65 66 c0 81 a1 62 01");
  // Sixteen members of which one is undefined: fixmap of 15.
  sio::value::object_type members;
  for (int i = 0; i < 16; ++i) members.emplace_back(std::string(1, 'k').append(std::to_string(i)), i == 3 ? undef : sio::value(i));
  CHECK(pack(sio::value::object(members)).substr(0, 2) == "8f");
}

TEST_CASE("notepack: nested structures, the payload of PROTOCOL 9.1 and its data array") {
  const sio::value data =
      sio::json(R"(["notification",{"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000}])");
  CHECK(pack(data) ==
        "92 ac 6e 6f 74 69 66 69 63 61 74 69 6f 6e 83 a4 74 79 70 65 ad 4f 52 44 45 52 5f 55 50 44 41 54 45 44 "
        "a7 70 61 79 6c 6f 61 64 81 a2 69 64 01 a9 74 69 6d 65 73 74 61 6d 70 cf 00 00 01 8b cf e5 68 00");
  const sio::value message =
      sio::json(R"(["emitter",{"type":2,"data":["notification",{"type":"ORDER_UPDATED","payload":{"id":1},)"
                R"("timestamp":1700000000000}],"nsp":"/"},{"rooms":["user:42"],"flags":{},"except":[]}])");
  CHECK(pack(message) ==
        "93 a7 65 6d 69 74 74 65 72 83 a4 74 79 70 65 02 a4 64 61 74 61 92 ac 6e 6f 74 69 66 69 63 61 74 "
        "69 6f 6e 83 a4 74 79 70 65 ad 4f 52 44 45 52 5f 55 50 44 41 54 45 44 a7 70 61 79 6c 6f 61 64 81 "
        "a2 69 64 01 a9 74 69 6d 65 73 74 61 6d 70 cf 00 00 01 8b cf e5 68 00 a3 6e 73 70 a1 2f 83 a5 72 "
        "6f 6f 6d 73 91 a7 75 73 65 72 3a 34 32 a5 66 6c 61 67 73 80 a6 65 78 63 65 70 74 90");
  // emit("nums", -1, -200, 300, 70000, 4294967296, -2147483649, 0.1) from PROTOCOL 9.2
  CHECK(pack(sio::json(R"(["nums",-1,-200,300,70000,4294967296,-2147483649,0.1])")) ==
        "98 a4 6e 75 6d 73 ff d1 ff 38 cd 01 2c ce 00 01 11 70 cf 00 00 00 01 00 00 00 00 d3 ff ff ff ff 7f "
        "ff ff ff cb 3f b9 99 99 99 99 99 9a");
  CHECK(pack(sio::value::array_type{"bin", sio::binary(std::vector<std::uint8_t>{1, 2, 3})}) ==
        "92 a3 62 69 6e c4 03 01 02 03");
  CHECK(pack(sio::value::array_type{"date-ms", sio::date{1700000000123}}) ==
        "92 a7 64 61 74 65 2d 6d 73 d7 ff 1d 53 53 00 65 53 f1 00");
}

TEST_CASE("notepack: the writer's building blocks append to the same string") {
  std::string out;
  sio::detail::notepack_writer w(out);
  w.array_header(3);
  w.string("a");
  w.map_header(1);
  w.string("k");
  w.number(1.5);
  w.nil();
  CHECK(sio_test::to_hex(out) == "93 a1 61 81 a1 6b cb 3f f8 00 00 00 00 00 00 c0");
}
