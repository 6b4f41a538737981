// The sharded adapter's encoding (PROTOCOL.md §4): every expected payload below is what a real socket.io 4.8
// server with createShardedAdapter (@socket.io/redis-adapter 8.3.0) SPUBLISHed for the same call, captured with
// SSUBSCRIBE, its uid replaced by ours ("emitter").
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sio/internal/protocol/sharded_codec.hpp"
#include "codec_test_support.hpp"
#include "test_value_support.hpp"

using sio::detail::command;
using sio::detail::operation;
using sio::detail::operation_kind;
using sio::detail::subscription_mode;
using sio::detail::target;

namespace {

using sio_test::bytes_of;
using sio_test::make_operation;
using sio_test::to_rooms;

command encode(const operation& op, subscription_mode mode = subscription_mode::dynamic) {
  return sio::detail::encode_sharded(op, "socket.io", mode, "emitter");
}

command broadcast(const target& t, std::string_view event, const std::vector<sio::value>& args,
                  subscription_mode mode = subscription_mode::dynamic) {
  return encode(make_operation(operation_kind::broadcast, t, event, args), mode);
}

}  // namespace

TEST_CASE("sharded: a broadcast to one room is JSON on that room's channel in the dynamic modes") {
  const auto t = to_rooms({"user:42"});
  const std::vector<sio::value> args{sio::json(R"({"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000})")};
  const std::string payload =
      R"({"type":3,"data":{"packet":{"type":2,"data":["notification",{"type":"ORDER_UPDATED","payload":{"id":1},)"
      R"("timestamp":1700000000000}]},"opts":{"rooms":["user:42"],"except":[],"flags":{}}},"uid":"emitter","nsp":"/"})";
  for (const auto mode : {subscription_mode::dynamic, subscription_mode::dynamic_private}) {
    const auto c = broadcast(t, "notification", args, mode);
    CHECK(c.verb == "SPUBLISH");
    CHECK(c.channel == "socket.io#/#user:42#");
    CHECK(c.payload == payload);
  }
  // static: no server subscribes room channels, so the main channel, with the same bytes.
  const auto c = broadcast(t, "notification", args, subscription_mode::static_);
  CHECK(c.channel == "socket.io#/#");
  CHECK(c.payload == payload);
}

TEST_CASE("sharded: everything else goes to the main channel") {
  CHECK(broadcast(target{}, "all", {sio::value(1)}).channel == "socket.io#/#");
  CHECK(broadcast(target{}, "all", {sio::value(1)}).payload ==
        R"({"type":3,"data":{"packet":{"type":2,"data":["all",1]},"opts":{"rooms":[],"except":[],"flags":{}}},)"
        R"("uid":"emitter","nsp":"/"})");

  auto two = to_rooms({"a", "b"}, {"c"});
  two.set_flag(sio::detail::broadcast_flag::volatile_, true);
  const auto c = broadcast(two, "e", {sio::value("x"), sio::value(nullptr), sio::json("[1.5,-0,9007199254740992]")});
  CHECK(c.channel == "socket.io#/#");
  CHECK(c.payload == R"({"type":3,"data":{"packet":{"type":2,"data":["e","x",null,[1.5,0,9007199254740992]]},)"
                     R"("opts":{"rooms":["a","b"],"except":["c"],"flags":{"volatile":true}}},"uid":"emitter","nsp":"/"})");

  auto one = to_rooms({"a"});
  one.set_flag(sio::detail::broadcast_flag::compress, false);
  CHECK(broadcast(one, "c", {}).channel == "socket.io#/#a#");
  CHECK(broadcast(one, "c", {}).payload ==
        R"({"type":3,"data":{"packet":{"type":2,"data":["c"]},"opts":{"rooms":["a"],"except":[],)"
        R"("flags":{"compress":false}}},"uid":"emitter","nsp":"/"})");
}

TEST_CASE("sharded: a room that looks like a socket id (20 UTF-16 units) uses the main channel in dynamic mode") {
  const auto id = to_rooms({"IsIcKq4PUY3VTRJbAAAB"});
  CHECK(broadcast(id, "priv", {}).channel == "socket.io#/#");
  CHECK(broadcast(id, "priv", {}).payload ==
        R"({"type":3,"data":{"packet":{"type":2,"data":["priv"]},"opts":{"rooms":["IsIcKq4PUY3VTRJbAAAB"],)"
        R"("except":[],"flags":{}}},"uid":"emitter","nsp":"/"})");
  CHECK(broadcast(id, "priv", {}, subscription_mode::dynamic_private).channel == "socket.io#/#IsIcKq4PUY3VTRJbAAAB#");
  // JavaScript counts UTF-16 units: 19 x "é" (2 bytes, 1 unit) + "a" is 20; an emoji (4 bytes) is 2 units.
  std::string accented;
  for (int i = 0; i < 19; ++i) accented += "\xc3\xa9";
  CHECK(broadcast(to_rooms({accented + "a"}), "e", {}).channel == "socket.io#/#");
  CHECK(broadcast(to_rooms({accented}), "e", {}).channel == "socket.io#/#" + accented + "#");
  CHECK(broadcast(to_rooms({"\xf0\x9f\x98\x80" + std::string(18, 'x')}), "e", {}).channel == "socket.io#/#");
  CHECK(broadcast(to_rooms({std::string(21, 'x')}), "e", {}).channel == "socket.io#/#" + std::string(21, 'x') + "#");
}

TEST_CASE("sharded: binary makes the whole message notepack msgpack, on the main channel as usual") {
  const auto c = broadcast(target{}, "bin", {bytes_of({1, 2, 3})});
  CHECK(c.channel == "socket.io#/#");
  CHECK(sio_test::to_hex(c.payload) ==
        sio_test::to_hex(sio_test::from_hex(
            "84a47479706503a46461746182a67061636b657482a47479706502a46461746192a362696ec403010203a46f70747383a5726f"
            "6f6d7390a665786365707490a5666c61677380a3756964a7656d6974746572a36e7370a12f")));
}

TEST_CASE("sharded: dates are JSON strings (JSON.stringify calls toJSON)") {
  CHECK(broadcast(to_rooms({"a"}), "date", {sio::date(0)}).payload ==
        R"({"type":3,"data":{"packet":{"type":2,"data":["date","1970-01-01T00:00:00.000Z"]},"opts":{"rooms":["a"],)"
        R"("except":[],"flags":{}}},"uid":"emitter","nsp":"/"})");
}

TEST_CASE("sharded: socketsJoin, socketsLeave, disconnectSockets and serverSideEmit") {
  const auto other = to_rooms({"other"});
  const std::vector<std::string> j{"j"};
  CHECK(encode(make_operation(operation_kind::sockets_join, other, {}, {}, j)).payload ==
        R"({"type":4,"data":{"opts":{"rooms":["other"],"except":[],"flags":{}},"rooms":["j"]},"uid":"emitter","nsp":"/"})");
  const auto in_j = to_rooms({"j"}, {"k"});
  const std::vector<std::string> jm{"j", "m"};
  const auto leave = encode(make_operation(operation_kind::sockets_leave, in_j, {}, {}, jm));
  CHECK(leave.channel == "socket.io#/#");  // only broadcasts use room channels
  CHECK(leave.payload ==
        R"({"type":5,"data":{"opts":{"rooms":["j"],"except":["k"],"flags":{}},"rooms":["j","m"]},"uid":"emitter","nsp":"/"})");
  const auto x = to_rooms({"x"});
  auto close = make_operation(operation_kind::disconnect_sockets, x);
  close.close = true;
  CHECK(encode(close).payload ==
        R"({"type":6,"data":{"opts":{"rooms":["x"],"except":[],"flags":{}},"close":true},"uid":"emitter","nsp":"/"})");
  const target all;
  CHECK(encode(make_operation(operation_kind::disconnect_sockets, all)).payload ==
        R"({"type":6,"data":{"opts":{"rooms":[],"except":[],"flags":{}},"close":false},"uid":"emitter","nsp":"/"})");

  const std::vector<sio::value> args{sio::value(1), sio::json(R"({"a":"b"})")};
  const auto sse = encode(make_operation(operation_kind::server_side_emit, all, "sse", args));
  CHECK(sse.channel == "socket.io#/#");
  CHECK(sse.payload == R"({"type":9,"data":{"packet":["sse",1,{"a":"b"}]},"uid":"emitter","nsp":"/"})");
  const std::vector<sio::value> binary_args{bytes_of({9})};
  CHECK(sio_test::to_hex(encode(make_operation(operation_kind::server_side_emit, all, "ssebin", binary_args)).payload) ==
        sio_test::to_hex(sio_test::from_hex(
            "84a47479706509a46461746181a67061636b657492a673736562696ec40109a3756964a7656d6974746572a36e7370a12f")));
}

TEST_CASE("sharded: the namespace and prefix shape every channel, and nsp is always sent") {
  target admin = to_rooms({"r"});
  admin.nsp = "/admin";
  const auto op = make_operation(operation_kind::broadcast, admin, "e");
  const auto c = sio::detail::encode_sharded(op, "myapp", subscription_mode::dynamic, "sio-abc");
  CHECK(c.channel == "myapp#/admin#r#");
  CHECK(c.payload.ends_with(R"(,"uid":"sio-abc","nsp":"/admin"})"));
}
