// packet_decoder: client packets as socket.io-parser 4.2.7 decodes them (PROTOCOL.md §7.7 "Decoding").
#include <doctest/doctest.h>

#include <string>

#include "socketio/packet.hpp"

using namespace sio::gateway::socketio;

namespace {

packet text(const char* t, std::size_t max_attachments = 10) {
  packet_decoder decoder(max_attachments);
  auto p = decoder.add_text(t);
  REQUIRE(p.has_value());
  return *p;
}

}  // namespace

TEST_CASE("packet: CONNECT with and without auth, to / and to a namespace") {
  const packet plain = text("0");
  CHECK(plain.type == packet_type::connect);
  CHECK(plain.nsp == "/");
  CHECK_FALSE(plain.data.has_value());

  const packet with_auth = text(R"(0{"token":"abc"})");
  CHECK(with_auth.data == sio::json(R"({"token":"abc"})"));

  const packet admin = text("0/admin,");
  CHECK(admin.nsp == "/admin");
  CHECK_FALSE(admin.data.has_value());
  CHECK(text(R"(0/admin,{"a":1})").data == sio::json(R"({"a":1})"));
  CHECK(text("0/admin").nsp == "/admin");  // no comma: the namespace runs to the end
}

TEST_CASE("packet: EVENT and ACK with ack ids") {
  const packet event = text(R"(21["hello","x"])");
  CHECK(event.type == packet_type::event);
  CHECK(event.id == 1u);
  CHECK(event.data == sio::json(R"(["hello","x"])"));

  const packet ack = text(R"(3/admin,12["r"])");
  CHECK(ack.type == packet_type::ack);
  CHECK(ack.nsp == "/admin");
  CHECK(ack.id == 12u);

  CHECK(text("2[7]").data == sio::json("[7]"));  // a numeric event name is valid
  CHECK(text("1").type == packet_type::disconnect);
  CHECK(text("1/admin,").nsp == "/admin");
}

TEST_CASE("packet: BINARY_EVENT waits for its attachments and fills the placeholders in order") {
  packet_decoder decoder(10);
  CHECK_FALSE(decoder.add_text(R"(52-["bin",{"_placeholder":true,"num":1},[{"_placeholder":true,"num":0}]])"));
  CHECK_FALSE(decoder.add_binary("first"));
  const auto p = decoder.add_binary("second");
  REQUIRE(p);
  CHECK(p->type == packet_type::binary_event);
  const sio::value expected(sio::value::array_type{
      "bin", sio::binary(std::string_view("second")),
      sio::value(sio::value::array_type{sio::binary(std::string_view("first"))})});
  CHECK(p->data == expected);
  // The decoder is ready for the next packet.
  CHECK(decoder.add_text(R"(2["next"])")->type == packet_type::event);

  packet_decoder acks(10);
  CHECK_FALSE(acks.add_text(R"(61-/admin,4[{"_placeholder":true,"num":0}])"));
  const auto ack = acks.add_binary("\x01\x02");
  REQUIRE(ack);
  CHECK(ack->type == packet_type::binary_ack);
  CHECK(ack->nsp == "/admin");
  CHECK(ack->id == 4u);
}

TEST_CASE("packet: malformed packets throw decode_error") {
  const char* malformed[] = {
      "9",                     // unknown type
      "x",                     // not a type
      "2[",                    // not JSON
      R"(2{"a":1})",           // EVENT must be an array
      "2[]",                   // ... non-empty
      R"(2["disconnect"])",    // reserved name
      R"(2["connect_error"])",
      "2[true]",               // name neither string nor number
      "0[]",                   // CONNECT payload must be an object
      "0null",
      "1{}",                   // DISCONNECT has no payload
      R"(3{"a":1})",           // ACK must be an array
      "5-[]",                  // no attachment count
      R"(5["a"])",             // no '-'
      "50-[\"a\"]",            // zero attachments
      "5x-[\"a\"]",
      R"(511-["a"])",          // more than max_attachments (10)
  };
  for (const char* t : malformed) {
    CAPTURE(t);
    packet_decoder decoder(10);
    CHECK_THROWS_AS(decoder.add_text(t), decode_error);
  }
}

TEST_CASE("packet: attachment sequencing errors") {
  packet_decoder binary_first(10);
  CHECK_THROWS_AS(binary_first.add_binary("x"), decode_error);

  packet_decoder text_while_pending(10);
  CHECK_FALSE(text_while_pending.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
  CHECK_THROWS_AS(text_while_pending.add_text(R"(2["a"])"), decode_error);

  packet_decoder bad_index(10);
  CHECK_FALSE(bad_index.add_text(R"(51-["a",{"_placeholder":true,"num":1}])"));
  CHECK_THROWS_AS(bad_index.add_binary("x"), decode_error);

  packet_decoder fractional(10);  // in range but not an index: buffers[0.5] is undefined, as in Node
  CHECK_FALSE(fractional.add_text(R"(51-["a",{"_placeholder":true,"num":0.5}])"));
  const auto p = fractional.add_binary("x");
  REQUIRE(p);
  CHECK(p->data->as_array().at(1).is_undefined());

  packet_decoder max_two(2);
  CHECK_THROWS_AS(max_two.add_text(R"(53-["a"])"), decode_error);
  CHECK_FALSE(max_two.add_text(R"(52-["a"])"));
}

TEST_CASE("packet: a million levels of nesting are refused, in events kept or only checked, and in CONNECT") {
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  for (const bool keep : {true, false}) {
    CAPTURE(keep);
    packet_decoder decoder(10, keep);
    CHECK_THROWS_WITH_AS(decoder.add_text("2[\"e\"," + deep + "]"), "invalid payload: not JSON", decode_error);
    CHECK_THROWS_WITH_AS(decoder.add_text("0{\"token\":" + deep + "}"), "invalid payload: not JSON", decode_error);
    CHECK_THROWS_WITH_AS(decoder.add_text("51-[\"e\"," + deep + "]"), "invalid payload: not JSON", decode_error);
  }
}

TEST_CASE("packet: an event only checked (no listener) is refused exactly where a kept one is") {
  for (const char* t : {R"(2["hello",1])", R"(2/admin,7["e"])", "2[42]", R"(2["connect"])", "2[]", "2{}", R"(2["e",)",
                        R"(2[null])", R"(2[["e"]])", R"(2["\ud800"])", R"(2"e")", "2 [\"e\"]", "2[\"e\"] x"}) {
    CAPTURE(t);
    packet_decoder kept(10, true);
    packet_decoder checked(10, false);
    std::string kept_error;
    std::string checked_error;
    std::optional<packet> from_kept;
    std::optional<packet> from_checked;
    try {
      from_kept = kept.add_text(t);
    } catch (const decode_error& e) {
      kept_error = e.what();
    }
    try {
      from_checked = checked.add_text(t);
    } catch (const decode_error& e) {
      checked_error = e.what();
    }
    CHECK(checked_error == kept_error);
    CHECK(from_checked.has_value() == from_kept.has_value());
    if (from_checked && from_kept) {
      CHECK(from_checked->nsp == from_kept->nsp);
      CHECK(from_checked->id == from_kept->id);
      CHECK_FALSE(from_checked->data.has_value());
    }
  }
}
