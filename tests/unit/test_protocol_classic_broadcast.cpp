// Broadcast filtering and decoding as the Node adapter's onmessage does it (PROTOCOL.md §3.2), on the exact
// bytes the real emitter publishes (§9) and hand-crafted edge cases.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/classic_receive.hpp"
#include "sio/value.hpp"
#include "protocol_vectors.hpp"
#include "sio/internal/value/notepack_writer.hpp"

using namespace sio::detail;
using sio_test::from_hex;
using sio_test::protocol_vector;

namespace {

using strings = std::vector<std::string>;

broadcast_message applied(std::string_view payload, std::string_view nsp = "/") {
  auto d = decode_broadcast(payload, "OwnUid", nsp);
  REQUIRE_MESSAGE(d.outcome == broadcast_outcome::apply, d.reason);
  return *d.message;
}

// [uid, packet, opts] from JSON (no binary needed for the edge cases), encoded as notepack does.
std::string msgpack_of(std::string_view json_text) {
  std::string out;
  sio::detail::notepack_writer(out).value(sio::json(json_text));
  return out;
}
}  // namespace

TEST_CASE("channel_room: prefix, then everything but the last character") {
  CHECK(classic_channel_room("socket.io#/#", "socket.io#/#") == std::string());
  CHECK(classic_channel_room("socket.io#/#user:42#", "socket.io#/#") == std::string("user:42"));
  CHECK(classic_channel_room("socket.io#/#a#b#", "socket.io#/#") == std::string("a#b"));
  CHECK(classic_channel_room("socket.io#/#x", "socket.io#/#") == std::string());  // one char: the room is ""
  CHECK_FALSE(classic_channel_room("socket.io#/admin#r#", "socket.io#/#").has_value());
  CHECK_FALSE(classic_channel_room("myapp#/#r1#", "socket.io#/#").has_value());
}

TEST_CASE("room pre-filter: a room channel with no local socket is dropped") {
  const auto has = [](const std::string& r) { return r == "user:42"; };
  CHECK(passes_room_prefilter("", has));
  CHECK(passes_room_prefilter("user:42", has));
  CHECK_FALSE(passes_room_prefilter("nobody", has));
}

TEST_CASE("emitter vector 9.1: to(user:42).emit(notification, {...})") {
  const auto v = protocol_vector("new Emitter(c).to(\"user:42\")");
  CHECK(v.channel == "socket.io#/#user:42#");
  CHECK(classic_channel_room(v.channel, "socket.io#/#") == std::string("user:42"));
  const auto m = applied(v.payload);
  CHECK(sio::to_json(m.data) ==
        R"(["notification",{"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000}])");
  CHECK(m.target.rooms == strings{"user:42"});
  CHECK(m.target.except.empty());
  CHECK_FALSE(m.flags.volatile_);
  CHECK(m.flags.compress);
}

TEST_CASE("emitter vectors: rooms, except, flags, other namespace, key") {
  auto m = applied(protocol_vector("new Emitter(c).to([\"room1\",\"room2\"])").payload);
  CHECK(m.target.rooms == strings{"room1", "room2"});
  CHECK(m.target.except == strings{"room3"});
  CHECK(sio::to_json(m.data) == R"(["msg","hi"])");

  const auto admin = protocol_vector("new Emitter(c).of(\"/admin\")");
  CHECK(decode_broadcast(admin.payload, "OwnUid", "/").outcome == broadcast_outcome::ignored);
  m = applied(admin.payload, "/admin");
  CHECK(m.flags.volatile_);
  CHECK_FALSE(m.flags.compress);
  CHECK(m.target.rooms == strings{"r"});
  CHECK(sio::to_json(m.data) == R"(["tick",7])");

  m = applied(protocol_vector("new Emitter(c, {key:\"myapp\"})").payload);
  CHECK(sio::to_json(m.data) == R"(["e",1])");
}

TEST_CASE("emitter vectors: values as a Node server decodes them") {
  CHECK(sio::to_json(applied(protocol_vector("new Emitter(c).emit(\"hello\", \"world\"").payload).data) ==
        R"(["hello","world",1,2.5,true,null])");
  const auto bin = applied(protocol_vector("new Emitter(c).emit(\"bin\"").payload);
  REQUIRE(bin.data.as_array().size() == 2);
  CHECK(bin.data.as_array()[1] == sio::value(sio::binary(std::vector<std::uint8_t>{1, 2, 3})));
  CHECK(applied(protocol_vector("new Emitter(c).emit(\"date-ms\"").payload).data.as_array()[1] ==
        sio::value(sio::date{1700000000123}));
  CHECK(sio::to_json(applied(protocol_vector("new Emitter(c).emit(\"nums\"").payload).data) ==
        R"(["nums",-1,-200,300,70000,4294967296,-2147483649,0.1])");
  CHECK(sio::to_json(applied(protocol_vector("new Emitter(c).emit(\"unicode\"").payload).data) ==
        "[\"unicode\",\"h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80\"]");
  CHECK(sio::to_json(applied(protocol_vector("new Emitter(c).emit(\"undef\"").payload).data) ==
        R"(["undef",null,{"b":1}])");
}

TEST_CASE("own uid and namespace checks (steps 5-7)") {
  const std::string own = msgpack_of(R"(["OwnUid",{"type":2,"data":["e"],"nsp":"/"},{"rooms":[]}])");
  CHECK(decode_broadcast(own, "OwnUid", "/").outcome == broadcast_outcome::ignored);
  CHECK(decode_broadcast(own, "Other1", "/").outcome == broadcast_outcome::apply);
  // packet.nsp missing -> "/"
  const std::string no_nsp = msgpack_of(R"(["x",{"type":2,"data":["e"]},{}])");
  CHECK(decode_broadcast(no_nsp, "OwnUid", "/").outcome == broadcast_outcome::apply);
  CHECK(decode_broadcast(no_nsp, "OwnUid", "/admin").outcome == broadcast_outcome::ignored);
  // nsp "/admin" on the "/" channel reaches nobody
  const std::string admin = msgpack_of(R"(["x",{"type":2,"data":["e"],"nsp":"/admin"},{}])");
  CHECK(decode_broadcast(admin, "OwnUid", "/").outcome == broadcast_outcome::ignored);
  CHECK(decode_broadcast(msgpack_of(R"(["x",null,{}])"), "OwnUid", "/").outcome == broadcast_outcome::ignored);
}

TEST_CASE("opts: required, rooms/except optional, flags truthiness") {
  CHECK(decode_broadcast(msgpack_of(R"(["x",{"type":2,"data":["e"]}])"), "u", "/").outcome ==
        broadcast_outcome::malformed);
  CHECK(decode_broadcast(msgpack_of(R"(["x",{"type":2,"data":["e"]},null])"), "u", "/").outcome ==
        broadcast_outcome::malformed);
  CHECK(decode_broadcast(msgpack_of(R"(["x",{"type":2,"data":["e"]},5])"), "u", "/").outcome ==
        broadcast_outcome::malformed);
  CHECK(decode_broadcast(msgpack_of(R"(["x",{"type":2,"data":["e"]},"opts"])"), "u", "/").outcome ==
        broadcast_outcome::malformed);
  auto m = applied(msgpack_of(R"(["x",{"type":2,"data":["e"]},{}])"));
  CHECK(m.target.rooms.empty());
  CHECK(m.target.except.empty());
  CHECK(m.flags.compress);
  m = applied(msgpack_of(R"(["x",{"type":2,"data":["e"]},{"rooms":["a","a","b"],"flags":{"volatile":1,"compress":0}}])"));
  CHECK(m.target.rooms == strings{"a", "b"});  // a Set
  CHECK(m.flags.volatile_);
  CHECK(m.flags.compress);  // only false disables it
  // new Set("ab") iterates characters
  m = applied(msgpack_of(R"(["x",{"type":2,"data":["e"]},{"rooms":"ab"}])"));
  CHECK(m.target.rooms == strings{"a", "b"});
  // non-string rooms never match a room: 42 is not "42"
  CHECK(decode_broadcast(msgpack_of(R"(["x",{"type":2,"data":["e"]},{"rooms":[42]}])"), "u", "/").outcome ==
        broadcast_outcome::ignored);
  m = applied(msgpack_of(R"(["x",{"type":2,"data":["e"]},{"rooms":[42,"r"],"except":[1,"q"]}])"));
  CHECK(m.target.rooms == strings{"r"});
  CHECK(m.target.except == strings{"q"});
  CHECK(decode_broadcast(msgpack_of(R"(["x",{"type":2,"data":["e"]},{"rooms":5}])"), "u", "/").outcome ==
        broadcast_outcome::malformed);
}

TEST_CASE("malformed payloads are reported, never thrown") {
  CHECK(decode_broadcast(from_hex("c1"), "u", "/").outcome == broadcast_outcome::malformed);
  CHECK(decode_broadcast(from_hex("93 a1 78"), "u", "/").outcome == broadcast_outcome::malformed);
  CHECK(decode_broadcast(from_hex("c0 c0"), "u", "/").outcome == broadcast_outcome::malformed);
  CHECK(decode_broadcast(R"({"uid":"emitter"})", "u", "/").outcome == broadcast_outcome::malformed);  // JSON
  CHECK(decode_broadcast(msgpack_of(R"({"a":1})"), "u", "/").outcome == broadcast_outcome::malformed);
  CHECK(decode_broadcast(msgpack_of(R"(["x",{"type":5,"data":["e"]},{}])"), "u", "/").outcome ==
        broadcast_outcome::malformed);
}

TEST_CASE("a broadcast nested a million levels deep is malformed, not a crash") {
  // [uid, {type, data: [[[...]]], nsp}, opts]: the packet's data is where a publisher puts anything.
  std::string deep = std::string("\x93\xa1x\x83\xa4type\x02\xa4" "data", 3 + 1 + 5 + 1 + 5);
  deep += std::string(1'000'000, '\x91') + '\xc0';
  deep += std::string("\xa3nsp\xa1/\x80", 7);
  const auto d = decode_broadcast(deep, "OwnUid", "/");
  CHECK(d.outcome == broadcast_outcome::malformed);
  CHECK(d.reason.find("nesting deeper than 512") != std::string::npos);
}
