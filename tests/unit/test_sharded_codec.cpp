// The sharded adapter's encoding (PROTOCOL.md §4): every expected payload below is what a real socket.io 4.8
// server with createShardedAdapter (@socket.io/redis-adapter 8.3.0) SPUBLISHed for the same call, captured with
// SSUBSCRIBE, its uid replaced by ours ("emitter").
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sio/internal/protocol/request_codec.hpp"
#include "sio/internal/protocol/sharded_codec.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
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

// --- requests (PROTOCOL.md §8.6): the messages socket.io-adapter's ClusterAdapter publishes for broadcastWithAck,
// fetchSockets and serverSideEmitWithAck, and the answers its servers send back.

namespace {

const sio::detail::request_ids request_ids{"sio-test", "r1"};

}  // namespace

TEST_CASE("sharded requests: on the main channel even for one room, with the requester's uid and requestId") {
  target t;
  t.rooms = {"user:42"};  // would get its room's channel as a plain broadcast in dynamic mode
  const std::vector<sio::value> args{sio::value::object({{"type", "T"}})};  // outlives the operation
  const auto op = make_operation(operation_kind::broadcast, t, "notification", args);
  const auto ack = sio::detail::encode_cluster_broadcast_with_ack(sio::detail::cluster_adapter::sharded, op, "socket.io",
                                                                  request_ids, std::chrono::milliseconds(5000));
  CHECK(ack.verb == "SPUBLISH");
  CHECK(ack.channel == "socket.io#/#");
  CHECK(ack.payload ==
        R"({"type":3,"data":{"packet":{"type":2,"data":["notification",{"type":"T"}]},"requestId":"r1",)"
        R"("opts":{"rooms":["user:42"],"except":[],"flags":{"timeout":5000}}},"uid":"sio-test","nsp":"/"})");

  target admin;
  admin.nsp = "/admin";
  admin.rooms = {"a"};
  admin.except = {"b"};
  const auto fetch =
      sio::detail::encode_cluster_fetch_sockets(sio::detail::cluster_adapter::sharded, admin, "app", request_ids);
  CHECK(fetch.verb == "SPUBLISH");
  CHECK(fetch.channel == "app#/admin#");
  CHECK(fetch.payload ==
        R"({"type":7,"data":{"opts":{"rooms":["a"],"except":["b"],"flags":{}},"requestId":"r1"},"uid":"sio-test","nsp":"/admin"})");

  const std::vector<sio::value> hello{sio::value::object({{"x", 1}})};
  const target everyone;
  const auto sse = sio::detail::encode_cluster_server_side_emit_with_ack(sio::detail::cluster_adapter::sharded,
      make_operation(operation_kind::server_side_emit, everyone, "hello", hello), "socket.io", request_ids);
  CHECK(sse.channel == "socket.io#/#");
  CHECK(sse.payload == R"({"type":9,"data":{"requestId":"r1","packet":["hello",{"x":1}]},"uid":"sio-test","nsp":"/"})");
}

TEST_CASE("sharded requests: a binary argument makes the request notepack msgpack with the same members") {
  target t;
  t.flags.push_back({sio::detail::broadcast_flag::volatile_, true});
  const std::vector<sio::value> args{bytes_of({1, 2})};
  const auto op = make_operation(operation_kind::broadcast, t, "bin", args);
  const auto c = sio::detail::encode_cluster_broadcast_with_ack(sio::detail::cluster_adapter::sharded, op, "socket.io",
                                                                request_ids, std::chrono::milliseconds(100));
  REQUIRE_FALSE(c.payload.empty());
  CHECK(static_cast<unsigned char>(c.payload.front()) == 0x84);  // fixmap of 4: never '{'
  const auto decoded = sio::detail::decode_msgpack(c.payload);
  CHECK(sio::to_json(decoded) ==
        R"({"type":3,"data":{"packet":{"type":2,"data":["bin",{"type":"Buffer","data":[1,2]}]},"requestId":"r1",)"
        R"("opts":{"rooms":[],"except":[],"flags":{"volatile":true,"timeout":100}}},"uid":"sio-test","nsp":"/"})");
}

TEST_CASE("sharded answers: 11, 12, 8 and 10 read from data, JSON or msgpack, anything without a requestId dropped") {
  using sio::detail::answer_kind;
  using sio::detail::request_protocol;
  const auto read = [](std::string_view payload) { return sio::detail::decode_answer(request_protocol::cluster, payload); };

  const auto count = read(R"({"type":11,"data":{"requestId":"r1","clientCount":2},"uid":"n1","nsp":"/"})");
  REQUIRE(count);
  CHECK(count->request_id == "r1");
  CHECK(count->kind == answer_kind::client_count);
  CHECK(sio::to_json(count->value) == "2");

  const auto ack = read(R"({"type":12,"data":{"requestId":"r1","packet":{"seen":true}},"uid":"n1","nsp":"/"})");
  REQUIRE(ack);
  CHECK(ack->kind == answer_kind::client_ack);
  CHECK(sio::to_json(ack->value) == R"({"seen":true})");

  const auto sockets = read(R"({"type":8,"data":{"requestId":"r1","sockets":[{"id":"s1","rooms":["s1"]}]},"uid":"n1","nsp":"/"})");
  REQUIRE(sockets);
  CHECK(sockets->kind == answer_kind::sockets);
  CHECK(sio::to_json(sockets->value) == R"([{"id":"s1","rooms":["s1"]}])");

  const auto server = read(R"({"type":10,"data":{"requestId":"r1","packet":"ok"},"uid":"n1","nsp":"/"})");
  REQUIRE(server);
  CHECK(server->kind == answer_kind::server_ack);
  CHECK(sio::to_json(server->value) == R"("ok")");

  // notepack {type: 12, data: {requestId: "r1", packet: <Buffer 07>}, uid: "n", nsp: "/"}: an ack with binary.
  const auto binary12 = read(std::string(sio_test::from_hex(
      "84a4747970650ca46461746182a9726571756573744964a27231a67061636b6574c40107a3756964a16ea36e7370a12f")));
  REQUIRE(binary12);
  CHECK(binary12->kind == answer_kind::client_ack);
  CHECK(binary12->value.type() == sio::value::kind::binary);

  CHECK_FALSE(read(R"({"type":11,"data":{"clientCount":2},"uid":"n1","nsp":"/"})"));  // no requestId
  CHECK_FALSE(read(R"({"type":11,"requestId":"r1","clientCount":2})"));                 // the classic shape
  CHECK_FALSE(read("{not json"));
  const auto other = read(R"({"type":3,"data":{"requestId":"r1"},"uid":"n1","nsp":"/"})");
  REQUIRE(other);
  CHECK(other->kind == answer_kind::other);
}

TEST_CASE("streams requests: the same messages, always msgpack, PUBLISHed on <prefix>#<nsp># (doPublish of ephemeral ones)") {
  using sio::detail::cluster_adapter;
  target t;
  t.rooms = {"user:42"};
  const std::vector<sio::value> args{sio::value::object({{"type", "T"}})};
  const auto op = make_operation(operation_kind::broadcast, t, "notification", args);
  const sio::detail::request_ids emitter_ids{"emitter", "r1"};
  const auto ack = sio::detail::encode_cluster_broadcast_with_ack(cluster_adapter::streams, op, "socket.io", emitter_ids,
                                                                  std::chrono::milliseconds(5000));
  CHECK(ack.verb == "PUBLISH");
  CHECK(ack.channel == "socket.io#/#");
  CHECK(static_cast<unsigned char>(ack.payload.front()) == 0x84);
  // Decoded, it is the sharded adapter's JSON message, member for member.
  const auto sharded = sio::detail::encode_cluster_broadcast_with_ack(cluster_adapter::sharded, op, "socket.io",
                                                                      emitter_ids, std::chrono::milliseconds(5000));
  CHECK(sio::to_json(sio::detail::decode_msgpack(ack.payload)) == sharded.payload);

  const auto fetch = sio::detail::encode_cluster_fetch_sockets(cluster_adapter::streams, t, "socket.io", emitter_ids);
  CHECK(fetch.verb == "PUBLISH");
  CHECK(sio::to_json(sio::detail::decode_msgpack(fetch.payload)) ==
        R"({"type":7,"data":{"opts":{"rooms":["user:42"],"except":[],"flags":{}},"requestId":"r1"},"uid":"emitter","nsp":"/"})");

  const std::vector<sio::value> hello{1};
  const target everyone;
  const auto sse = sio::detail::encode_cluster_server_side_emit_with_ack(
      cluster_adapter::streams, make_operation(operation_kind::server_side_emit, everyone, "hello", hello), "socket.io",
      emitter_ids);
  CHECK(sse.verb == "PUBLISH");
  CHECK(sio::to_json(sio::detail::decode_msgpack(sse.payload)) ==
        R"({"type":9,"data":{"requestId":"r1","packet":["hello",1]},"uid":"emitter","nsp":"/"})");
}
