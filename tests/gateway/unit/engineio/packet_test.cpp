// Engine.IO v4 packet and payload codec (PROTOCOL.md §7.3), against what engine.io-parser 5.2.3 produces/accepts.
#include <doctest/doctest.h>

#include <string>

#include "engineio/packet.hpp"

using namespace sio::gateway::engineio;
using namespace std::string_literals;

TEST_CASE("decode_packet reads each packet type with its data") {
  const auto message = decode_packet("4hello");
  REQUIRE(message);
  CHECK(message->type == packet_type::message);
  CHECK(message->data == "hello");
  CHECK_FALSE(message->binary);

  const auto probe = decode_packet("2probe");
  REQUIRE(probe);
  CHECK(probe->type == packet_type::ping);
  CHECK(probe->data == "probe");

  const auto pong = decode_packet("3");
  REQUIRE(pong);
  CHECK(pong->type == packet_type::pong);
  CHECK(pong->data.empty());

  CHECK(decode_packet("0")->type == packet_type::open);
  CHECK(decode_packet("1")->type == packet_type::close);
  CHECK(decode_packet("5")->type == packet_type::upgrade);
  CHECK(decode_packet("6")->type == packet_type::noop);
  CHECK(decode_packet("4")->data.empty());
  CHECK(decode_packet("42[\"a\",\"\xc3\xa9\"]")->data == "2[\"a\",\"\xc3\xa9\"]");
}

TEST_CASE("decode_packet reads b<base64> as a binary message") {
  const auto bin = decode_packet("b3q0=");
  REQUIRE(bin);
  CHECK(bin->type == packet_type::message);
  CHECK(bin->binary);
  CHECK(bin->data == "\xde\xad"s);

  const auto empty = decode_packet("b");
  REQUIRE(empty);
  CHECK(empty->binary);
  CHECK(empty->data.empty());

  const auto with_nul = decode_packet("bAAEC");
  REQUIRE(with_nul);
  CHECK(with_nul->data == "\x00\x01\x02"s);
}

TEST_CASE("decode_packet refuses what engine.io-parser turns into an error packet") {
  CHECK_FALSE(decode_packet(""));
  CHECK_FALSE(decode_packet("7"));
  CHECK_FALSE(decode_packet("9hello"));
  CHECK_FALSE(decode_packet("x"));
  CHECK_FALSE(decode_packet("{\"a\":1}"));
}

TEST_CASE("decode_payload splits on the record separator") {
  const auto p = decode_payload("4a\x1e" "4b\x1e" "bAQID\x1e" "3");
  CHECK_FALSE(p.malformed);
  REQUIRE(p.packets.size() == 4);
  CHECK(p.packets[0].data == "a");
  CHECK(p.packets[1].data == "b");
  CHECK(p.packets[2].binary);
  CHECK(p.packets[2].data == "\x01\x02\x03"s);
  CHECK(p.packets[3].type == packet_type::pong);

  const auto single = decode_payload("40{\"token\":\"abc\"}");
  REQUIRE(single.packets.size() == 1);
  CHECK(single.packets[0].data == "0{\"token\":\"abc\"}");
}

TEST_CASE("decode_payload stops at the first malformed packet and keeps the ones before") {
  const auto trailing = decode_payload("4a\x1e");
  CHECK(trailing.malformed);
  REQUIRE(trailing.packets.size() == 1);
  CHECK(trailing.packets[0].data == "a");

  const auto middle = decode_payload("4a\x1e" "8\x1e" "4c");
  CHECK(middle.malformed);
  CHECK(middle.packets.size() == 1);

  const auto empty = decode_payload("");
  CHECK(empty.malformed);
  CHECK(empty.packets.empty());
}

TEST_CASE("a polling payload joins text packets and b<base64> binaries with \\x1e") {
  std::string payload;
  append_text_to_payload(payload, "452-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
  append_binary_to_payload(payload, "\x01\x02\x03"s);
  append_binary_to_payload(payload, "\x04"s);
  append_text_to_payload(payload, "2");
  CHECK(payload ==
        "452-[\"bin\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]\x1e" "bAQID\x1e" "bBA==\x1e" "2");

  std::string first;
  append_binary_to_payload(first, "");
  CHECK(first == "b");
}

TEST_CASE("base64 is standard base64 with padding, and decoding stops at a foreign character") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("\xff\xfe\xfd"s) == "//79");
  CHECK(base64_decode("Zm9vYmFy") == "foobar");
  CHECK(base64_decode("Zm8=") == "fo");
  CHECK(base64_decode("//79") == "\xff\xfe\xfd"s);
  CHECK(base64_decode("Zm9v!!!!") == "foo");
  CHECK(binary_as_text("\xde\xad"s) == "b3q0=");
}

TEST_CASE("round trip: every byte value survives b<base64>") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const auto back = decode_packet(binary_as_text(all));
  REQUIRE(back);
  CHECK(back->binary);
  CHECK(back->data == all);
}

TEST_CASE("packet_kind_of reads the type without the data") {
  CHECK(packet_kind_of("4hello")->type == packet_type::message);
  CHECK_FALSE(packet_kind_of("4hello")->base64);
  CHECK(packet_kind_of("bAQID")->type == packet_type::message);
  CHECK(packet_kind_of("bAQID")->base64);
  CHECK(packet_kind_of("3")->type == packet_type::pong);
  CHECK_FALSE(packet_kind_of(""));
  CHECK_FALSE(packet_kind_of("/"));  // just below '0'
  CHECK_FALSE(packet_kind_of("7"));  // just above '6'
}

TEST_CASE("Engine.IO framing has no nesting: a million-level text passes through as data, untouched") {
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  const auto message = decode_packet("4" + deep);
  REQUIRE(message);
  CHECK(message->data.size() == deep.size());
  const auto payload = decode_payload("4" + deep + "\x1e" "4" + deep + "\x1e" "b" + std::string(4000, 'A'));
  CHECK_FALSE(payload.malformed);
  CHECK(payload.packets.size() == 3);
}
