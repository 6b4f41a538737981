// socket.io-adapter's ClusterMessages as a server receives them (cluster-adapter.js onMessage/onResponse, the
// sharded adapter's onRawMessage, the streams adapter's decode: PROTOCOL.md §4.3, §5.2, §8.6, §8.7) and the
// responses and heartbeats it publishes. Payloads are the bytes real Node servers publish, and the emitter's own.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "codec_test_support.hpp"
#include "protocol_vectors.hpp"
#include "sio/internal/protocol/cluster_receive.hpp"
#include "sio/internal/protocol/request_codec.hpp"
#include "sio/internal/protocol/sharded_codec.hpp"
#include "sio/internal/protocol/streams_codec.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"
#include "sio/value.hpp"
#include "test_value_support.hpp"

using namespace sio::detail;
using namespace std::chrono_literals;
using sio_test::from_hex;
using sio_test::make_operation;
using sio_test::protocol_vector;
using sio_test::to_hex;
using sio_test::to_rooms;

namespace {

using strings = std::vector<std::string>;

const cluster_receiver sharded{cluster_adapter::sharded, "OwnUid", "/"};
const cluster_receiver streams{cluster_adapter::streams, "OwnUid", "/"};

cluster_message applied(const cluster_decoding& d) {
  REQUIRE_MESSAGE(d.outcome == cluster_outcome::apply, d.reason);
  REQUIRE(d.message.has_value());
  return *d.message;
}

std::string msgpack_of(std::string_view json_text, msgpack_dialect dialect = msgpack_dialect::notepack) {
  std::string out;
  notepack_writer(out, dialect).value(sio::json(json_text));
  return out;
}

// The fields of an XADD as a reader gets them back: everything after the id, the payload last.
stream_entry entry_of(const command& xadd, std::vector<std::string_view>& storage) {
  REQUIRE(xadd.verb == "XADD");
  storage.clear();
  for (std::size_t i = 4; i < xadd.between.size(); ++i) storage.push_back(xadd.between[i]);
  storage.push_back(xadd.payload);
  return stream_entry_of(storage);
}

void check_outcome(const cluster_decoding& d, cluster_outcome outcome, std::string_view reason) {
  CHECK(d.outcome == outcome);
  CHECK(d.reason == reason);
  CHECK_FALSE(d.message.has_value());
}

}  // namespace

TEST_CASE("cluster receive: the SPUBLISH payloads of a real sharded Node server (PROTOCOL 4.3)") {
  auto m = applied(decode_cluster_message(
      sharded, R"({"type":3,"data":{"packet":{"type":2,"data":["n",{"id":1}]},"opts":{"rooms":["user:42"],)"
               R"("except":[],"flags":{}}},"uid":"37c2d07417533e44","nsp":"/"})"));
  CHECK(m.type == cluster_message_type::broadcast);
  CHECK(m.uid == sio::value("37c2d07417533e44"));
  CHECK(m.reply_to == "37c2d07417533e44");
  CHECK(m.nsp == "/");
  auto b = std::get<cluster_broadcast>(m.body);
  CHECK(sio::to_json(b.data) == R"(["n",{"id":1}])");
  CHECK(b.target.rooms == strings{"user:42"});
  CHECK(b.target.except.empty());
  CHECK_FALSE(b.flags.volatile_);
  CHECK(b.flags.compress);
  CHECK_FALSE(b.volatile_defined);
  CHECK_FALSE(b.with_ack());

  // With binary: the whole message in notepack.
  m = applied(decode_cluster_message(
      sharded, from_hex("84a47479706503a46461746182a67061636b657482a47479706502a46461746192a362696ec4020102a46f70747383"
                        "a5726f6f6d7390a665786365707490a5666c61677380a3756964b033376332643037343137353333653434a36e7370"
                        "a12f")));
  b = std::get<cluster_broadcast>(m.body);
  CHECK(b.data == sio::value(sio::value::array_type{"bin", sio_test::bytes_of({1, 2})}));
  CHECK(b.target.rooms.empty());

  m = applied(decode_cluster_message(
      sharded,
      R"({"type":4,"data":{"opts":{"rooms":["other"],"except":[],"flags":{}},"rooms":["j"]},"uid":"u1","nsp":"/"})"));
  CHECK(m.type == cluster_message_type::sockets_join);
  auto s = std::get<cluster_sockets_rooms>(m.body);
  CHECK(s.target.rooms == strings{"other"});
  CHECK(s.rooms == strings{"j"});

  m = applied(decode_cluster_message(
      sharded,
      R"({"type":5,"data":{"opts":{"rooms":["j"],"except":["x"],"flags":{}},"rooms":["j"]},"uid":"u1","nsp":"/"})"));
  CHECK(m.type == cluster_message_type::sockets_leave);
  s = std::get<cluster_sockets_rooms>(m.body);
  CHECK(s.target.except == strings{"x"});
  CHECK(s.rooms == strings{"j"});

  m = applied(decode_cluster_message(sharded, R"({"type":9,"data":{"packet":["sse",1]},"uid":"u1","nsp":"/"})"));
  CHECK(m.type == cluster_message_type::server_side_emit);
  const auto e = std::get<cluster_server_side_emit>(m.body);
  CHECK(sio::to_json(e.packet) == R"(["sse",1])");
  CHECK_FALSE(e.with_ack());

  m = applied(decode_cluster_message(
      sharded,
      R"({"type":6,"data":{"opts":{"rooms":["r"],"except":[],"flags":{}},"close":true},"uid":"u1","nsp":"/"})"));
  CHECK(m.type == cluster_message_type::disconnect_sockets);
  CHECK(std::get<cluster_disconnect>(m.body).close);
  CHECK(std::get<cluster_disconnect>(m.body).target.rooms == strings{"r"});
}

TEST_CASE("cluster receive: a Node server's requests (PROTOCOL 8.6, 8.7), JSON and msgpack") {
  // broadcastWithAck: the timeout in flags, requestId after packet.
  const std::string ack_json =
      R"({"type":3,"data":{"packet":{"type":2,"data":["q",1]},"requestId":"a1b2c3d4e5f60718",)"
      R"("opts":{"rooms":[],"except":["x"],"flags":{"volatile":false,"timeout":5000}}},"uid":"node1","nsp":"/"})";
  for (const auto& payload : {ack_json, msgpack_of(ack_json, msgpack_dialect::msgpack_javascript)}) {
    const auto& receiver = payload.front() == '{' ? sharded : streams;
    const auto m = applied(decode_cluster_message(receiver, payload));
    const auto b = std::get<cluster_broadcast>(m.body);
    CHECK(b.with_ack());
    CHECK(b.request_id == sio::value("a1b2c3d4e5f60718"));
    CHECK(b.target.except == strings{"x"});
    CHECK_FALSE(b.flags.volatile_);
    CHECK(b.volatile_defined);  // volatile: false is defined: no recovery offset
    CHECK(m.reply_to == "node1");
  }
  const std::string fetch_json =
      R"({"type":7,"data":{"opts":{"rooms":["r"],"except":[],"flags":{}},"requestId":"f1"},"uid":"node1","nsp":"/"})";
  for (const auto& payload : {fetch_json, msgpack_of(fetch_json, msgpack_dialect::msgpack_javascript)}) {
    const auto& receiver = payload.front() == '{' ? sharded : streams;
    const auto m = applied(decode_cluster_message(receiver, payload));
    CHECK(m.type == cluster_message_type::fetch_sockets);
    const auto f = std::get<cluster_fetch_sockets>(m.body);
    CHECK(f.request_id == sio::value("f1"));
    CHECK(f.target.rooms == strings{"r"});
    CHECK_FALSE(f.matches_nothing);
  }
  const auto m = applied(decode_cluster_message(
      streams, msgpack_of(R"({"type":9,"data":{"requestId":"s1","packet":["ping",{"a":1}]},"uid":"node1","nsp":"/"})",
                          msgpack_dialect::msgpack_javascript)));
  const auto e = std::get<cluster_server_side_emit>(m.body);
  CHECK(e.request_id == sio::value("s1"));
  CHECK(sio::to_json(e.packet) == R"(["ping",{"a":1}])");

  // The streams adapter decodes every pub/sub payload as msgpack: JSON text is not a message there.
  CHECK(decode_cluster_message(streams, fetch_json).outcome == cluster_outcome::malformed);
}

TEST_CASE("cluster receive: streams adapter entries, JSON and base64 msgpack data (PROTOCOL 5.2)") {
  const std::string_view json_fields[] = {
      "uid",  "9111ee412081acc8",
      "nsp",  "/",
      "type", "3",
      "data", R"({"packet":{"type":2,"data":["n",{"id":1}]},"opts":{"rooms":["user:42"],"except":[],"flags":{}}})"};
  auto m = applied(decode_stream_entry(streams, stream_entry_of(json_fields)));
  CHECK(m.type == cluster_message_type::broadcast);
  CHECK(m.uid == sio::value("9111ee412081acc8"));
  auto b = std::get<cluster_broadcast>(m.body);
  CHECK(sio::to_json(b.data) == R"(["n",{"id":1}])");
  CHECK(b.target.rooms == strings{"user:42"});

  const std::string_view binary_fields[] = {
      "uid",  "9111ee412081acc8",
      "nsp",  "/",
      "type", "3",
      "data", "gqZwYWNrZXSCpHR5cGUCpGRhdGGSo2JpbsQCAQKkb3B0c4Olcm9vbXOQpmV4Y2VwdJClZmxhZ3OA"};
  m = applied(decode_stream_entry(streams, stream_entry_of(binary_fields)));
  b = std::get<cluster_broadcast>(m.body);
  CHECK(b.data == sio::value(sio::value::array_type{"bin", sio_test::bytes_of({1, 2})}));

  // The external XADD of §5.2 (uid "emitter", packet.nsp set).
  const std::string_view external[] = {
      "uid",
      "emitter",
      "nsp",
      "/",
      "type",
      "3",
      "data",
      R"({"packet":{"type":2,"data":["from-xadd",1],"nsp":"/"},"opts":{"rooms":["user:42"],"except":[],"flags":{}}})"};
  m = applied(decode_stream_entry(streams, stream_entry_of(external)));
  CHECK(sio::to_json(std::get<cluster_broadcast>(m.body).data) == R"(["from-xadd",1])");
  CHECK(m.reply_to == "emitter");

  // Base64 as Buffer.from reads it: the URL-safe alphabet, characters outside it skipped, '=' ends it.
  std::string packed = msgpack_of(R"({"packet":["x",1,2]})", msgpack_dialect::msgpack_javascript);
  const std::string_view sse_fields[] = {"uid", "n2", "nsp", "/", "type", "9", "data", "gaZwYWNrZXST\noXgBAg==garbage"};
  CHECK(from_hex("81a67061636b657493a17801"
                 "02") == packed);
  m = applied(decode_stream_entry(streams, stream_entry_of(sse_fields)));
  CHECK(sio::to_json(std::get<cluster_server_side_emit>(m.body).packet) == R"(["x",1,2])");
  for (const char* data : {"gaZwYWNrZXSSoXjEAvv/", "gaZwYWNrZXSSoXjEAvv_"}) {  // ["x", <fb ff>]
    CAPTURE(data);
    const std::string_view fields[] = {"uid", "n2", "nsp", "/", "type", "9", "data", data};
    m = applied(decode_stream_entry(streams, stream_entry_of(fields)));
    CHECK(std::get<cluster_server_side_emit>(m.body).packet ==
          sio::value(sio::value::array_type{"x", sio_test::bytes_of({0xfb, 0xff})}));
  }

  // type is parseInt(type, 10).
  for (const char* type : {"3", " 3", "+3", "03", "3abc", "3.9",
                           "\xc2\xa0"
                           "3"}) {
    CAPTURE(type);
    const std::string_view fields[] = {"nsp", "/", "type", type, "data", json_fields[7]};
    CHECK(applied(decode_stream_entry(streams, stream_entry_of(fields))).type == cluster_message_type::broadcast);
  }
  for (const char* type : {"", "x3", "-3", "0x3", "33", "1e0x"}) {
    CAPTURE(type);
    const std::string_view fields[] = {"nsp", "/", "type", type, "data", json_fields[7]};
    const auto d = decode_stream_entry(streams, stream_entry_of(fields));
    if (std::string_view(type) == "1e0x") {
      CHECK(applied(d).type == cluster_message_type::initial_heartbeat);  // parseInt stops at 'e'
    } else {
      check_outcome(d, cluster_outcome::ignored, "unknown message type");
    }
  }
  // A later duplicate field wins (node-redis builds an object); a missing uid is undefined.
  const std::string_view duplicate[] = {"nsp", "/admin", "type", "2", "nsp", "/"};
  m = applied(decode_stream_entry(streams, stream_entry_of(duplicate)));
  CHECK(m.type == cluster_message_type::heartbeat);
  CHECK(m.uid.is_undefined());
  CHECK(m.reply_to == "undefined");
  CHECK(std::holds_alternative<std::monostate>(m.body));
}

TEST_CASE("cluster receive: the emitter's own messages decode back (table, both directions)") {
  const target to = to_rooms({"room1"}, {"x"});
  const std::vector<std::string> rooms{"vip", "b"};
  const std::vector<sio::value> args{sio::value("hello"), sio::value(1)};
  const std::vector<sio::value> binary_args{sio_test::bytes_of({7, 8})};
  struct row {
    const char* call;
    operation op;
    cluster_message_type type;
  };
  const row rows[] = {
      {"emit", make_operation(operation_kind::broadcast, to, "ev", args), cluster_message_type::broadcast},
      {"emit binary", make_operation(operation_kind::broadcast, to, "ev", binary_args),
       cluster_message_type::broadcast},
      {"socketsJoin", make_operation(operation_kind::sockets_join, to, {}, {}, rooms),
       cluster_message_type::sockets_join},
      {"socketsLeave", make_operation(operation_kind::sockets_leave, to, {}, {}, rooms),
       cluster_message_type::sockets_leave},
      {"disconnectSockets", make_operation(operation_kind::disconnect_sockets, to),
       cluster_message_type::disconnect_sockets},
      {"serverSideEmit", make_operation(operation_kind::server_side_emit, to, "ev", args),
       cluster_message_type::server_side_emit},
      {"serverSideEmit binary", make_operation(operation_kind::server_side_emit, to, "ev", binary_args),
       cluster_message_type::server_side_emit},
  };
  std::vector<std::string_view> storage;
  for (const auto& r : rows) {
    CAPTURE(r.call);
    const command spublish = encode_sharded(r.op, "socket.io", subscription_mode::static_, "emitter");
    const command xadd = encode_streams(r.op, stream_settings{});
    for (const auto& m : {applied(decode_cluster_message(sharded, spublish.payload)),
                          applied(decode_stream_entry(streams, entry_of(xadd, storage)))}) {
      CHECK(m.type == r.type);
      CHECK(m.uid == sio::value("emitter"));
      CHECK(m.nsp == "/");
      if (const auto* b = std::get_if<cluster_broadcast>(&m.body)) {
        sio::value::array_type data{sio::value(std::string(r.op.event))};
        data.insert(data.end(), r.op.args.begin(), r.op.args.end());
        CHECK(b->data == sio::value(data));
        CHECK(b->target.rooms == strings{"room1"});
        CHECK(b->target.except == strings{"x"});
      } else if (const auto* s = std::get_if<cluster_sockets_rooms>(&m.body)) {
        CHECK(s->rooms == rooms);
        CHECK(s->target.rooms == strings{"room1"});
      } else if (const auto* c = std::get_if<cluster_disconnect>(&m.body)) {
        CHECK_FALSE(c->close);
        CHECK(c->target.except == strings{"x"});
      } else if (const auto* e = std::get_if<cluster_server_side_emit>(&m.body)) {
        CHECK(e->packet.as_array().size() == r.op.args.size() + 1);
        CHECK(e->packet.as_array().at(1) == r.op.args.front());
      } else {
        FAIL("unexpected body");
      }
    }
  }

  // Requests (request_codec) -> the server's decoder; the server's responses -> the emitter's decode_answer.
  const request_ids ids{"emitter", "req-1"};
  const auto emit = make_operation(operation_kind::broadcast, to, "ev", args);
  const auto sse = make_operation(operation_kind::server_side_emit, to, "ev", args);
  for (const auto adapter : {cluster_adapter::sharded, cluster_adapter::streams}) {
    CAPTURE(static_cast<int>(adapter));
    const cluster_receiver self{adapter, "OwnUid", "/"};
    const cluster_responder server{adapter, "socket.io", "/", "OwnUid"};
    const std::string_view verb = adapter == cluster_adapter::sharded ? "SPUBLISH" : "PUBLISH";

    auto m = applied(decode_cluster_message(
        self, encode_cluster_broadcast_with_ack(adapter, emit, "socket.io", ids, 2000ms).payload));
    const auto b = std::get<cluster_broadcast>(m.body);
    CHECK(b.request_id == sio::value("req-1"));
    CHECK(b.target.rooms == strings{"room1"});
    command reply = cluster_client_count_response(server, m.reply_to, b.request_id, 2);
    CHECK(reply.verb == verb);
    CHECK(reply.channel == "socket.io#/#emitter#");
    auto a = decode_answer(request_protocol::cluster, reply.payload);
    REQUIRE(a.has_value());
    CHECK(a->request_id == "req-1");
    CHECK(a->kind == answer_kind::client_count);
    CHECK(a->value.as_number() == 2);
    a = decode_answer(request_protocol::cluster,
                      cluster_broadcast_ack_response(server, m.reply_to, b.request_id, sio::value("ok")).payload);
    REQUIRE(a.has_value());
    CHECK(a->kind == answer_kind::client_ack);
    CHECK(a->value == sio::value("ok"));

    m = applied(decode_cluster_message(self, encode_cluster_fetch_sockets(adapter, to, "socket.io", ids).payload));
    const auto f = std::get<cluster_fetch_sockets>(m.body);
    CHECK(f.request_id == sio::value("req-1"));
    CHECK(f.target.except == strings{"x"});
    const socket_description socket{"sid1", R"({"url":"/x","issued":1700000000000})", {"sid1", "room1"}, R"({"u":1})"};
    reply = cluster_fetch_sockets_response(server, m.reply_to, f.request_id, {socket});
    a = decode_answer(request_protocol::cluster, reply.payload);
    REQUIRE(a.has_value());
    CHECK(a->kind == answer_kind::sockets);
    CHECK(sio::to_json(a->value) ==
          R"([{"id":"sid1","handshake":{"url":"/x","issued":1700000000000},"rooms":["sid1","room1"],"data":{"u":1}}])");

    m = applied(
        decode_cluster_message(self, encode_cluster_server_side_emit_with_ack(adapter, sse, "socket.io", ids).payload));
    const auto e = std::get<cluster_server_side_emit>(m.body);
    CHECK(e.request_id == sio::value("req-1"));
    CHECK(sio::to_json(e.packet) == R"(["ev","hello",1])");
    a = decode_answer(request_protocol::cluster,
                      cluster_server_side_emit_response(server, m.reply_to, e.request_id, sio::value(5)).payload);
    REQUIRE(a.has_value());
    CHECK(a->kind == answer_kind::server_ack);
    CHECK(a->value.as_number() == 5);

    // And the server's decoder reads the responses as the requester's own server would.
    const auto r = applied(
        decode_cluster_message(cluster_receiver{adapter, "emitter", "/"},
                               cluster_client_count_response(server, "emitter", sio::value("req-1"), 4).payload));
    CHECK(r.type == cluster_message_type::broadcast_client_count);
    CHECK(r.uid == sio::value("OwnUid"));
    CHECK(std::get<answer>(r.body).value.as_number() == 4);
  }

  // The proposed external sharded publisher's vectors (PROTOCOL 9.4): uid and nsp first.
  for (const char* call : {"sharded: to(\"user:42\")", "sharded: emit(\"bin\""}) {
    CAPTURE(call);
    const auto m = applied(decode_cluster_message(sharded, protocol_vector(call).payload));
    CHECK(m.type == cluster_message_type::broadcast);
    CHECK(m.uid == sio::value("emitter"));
  }
}

TEST_CASE("cluster receive: what onMessage ignores") {
  const std::string body = R"("type":2,"data":{"packet":{"type":2,"data":["e"]},"opts":{"rooms":[],"except":[]}})";
  check_outcome(decode_cluster_message(sharded, R"({"uid":"OwnUid","nsp":"/",)" + body + "}"), cluster_outcome::ignored,
                "own uid");
  check_outcome(decode_cluster_message(sharded, R"({"uid":"u","nsp":"/admin",)" + body + "}"), cluster_outcome::ignored,
                "another namespace");
  check_outcome(decode_cluster_message(sharded, R"({"uid":"u",)" + body + "}"), cluster_outcome::ignored,
                "no namespace");
  check_outcome(decode_cluster_message(sharded, R"({"uid":"u","nsp":null,)" + body + "}"), cluster_outcome::ignored,
                "another namespace");
  for (const char* type : {"0", "14", "3.5", "\"3\"", "null", "-1", "1e300"}) {
    CAPTURE(type);
    check_outcome(decode_cluster_message(sharded, std::string(R"({"uid":"u","nsp":"/","type":)") + type + "}"),
                  cluster_outcome::ignored, "unknown message type");
  }
  // Not an object: no uid, no nsp.
  check_outcome(decode_cluster_message(streams, from_hex("05")), cluster_outcome::ignored, "no namespace");
  check_outcome(decode_cluster_message(streams, from_hex("93a175a12f03")), cluster_outcome::ignored, "no namespace");
  // Rooms that only non-strings fill reach no socket: nothing to do, but a request is still answered.
  check_outcome(
      decode_cluster_message(sharded, R"({"uid":"u","nsp":"/","type":3,"data":{"packet":{"type":2,"data":["e"]},)"
                                      R"("opts":{"rooms":[1]}}})"),
      cluster_outcome::ignored, "no room can match");
  const auto m = applied(decode_cluster_message(
      sharded, R"({"uid":"u","nsp":"/","type":7,"data":{"opts":{"rooms":[1]},"requestId":"q"}})"));
  CHECK(std::get<cluster_fetch_sockets>(m.body).matches_nothing);
  // A stream entry without nsp, or an empty one, is skipped by the poller.
  const std::string_view no_nsp[] = {"uid", "u", "type", "2"};
  check_outcome(decode_stream_entry(streams, stream_entry_of(no_nsp)), cluster_outcome::ignored, "no namespace");
  const std::string_view empty_nsp[] = {"uid", "u", "nsp", "", "type", "2"};
  check_outcome(decode_stream_entry(streams, stream_entry_of(empty_nsp)), cluster_outcome::ignored, "no namespace");
  const std::string_view own[] = {"uid", "OwnUid", "nsp", "/", "type", "2"};
  check_outcome(decode_stream_entry(streams, stream_entry_of(own)), cluster_outcome::ignored, "own uid");
  // A response without a string requestId matches no request of ours.
  check_outcome(decode_cluster_message(sharded, R"({"uid":"u","nsp":"/","type":11,"data":{"clientCount":1}})"),
                cluster_outcome::ignored, "no string requestId");
}

TEST_CASE("cluster receive: heartbeats and the response channel") {
  for (const auto type : {cluster_message_type::initial_heartbeat, cluster_message_type::heartbeat,
                          cluster_message_type::adapter_close}) {
    CAPTURE(static_cast<int>(type));
    const command xadd = stream_heartbeat(type, "abcdef0123456789", "/chat", {.stream_count = 3});
    CHECK(xadd.verb == "XADD");
    CHECK(xadd.channel == stream_name_for("/chat", {.stream_count = 3}));
    CHECK(xadd.between == strings{"MAXLEN", "~", "10000", "*", "uid", "abcdef0123456789", "nsp", "/chat", "type"});
    CHECK(xadd.payload == std::to_string(static_cast<int>(type)));
    std::vector<std::string_view> storage;
    const auto m = applied(decode_stream_entry({cluster_adapter::streams, "OwnUid", "/chat"}, entry_of(xadd, storage)));
    CHECK(m.type == type);
    CHECK(m.reply_to == "abcdef0123456789");
    CHECK(std::holds_alternative<std::monostate>(m.body));
  }
  // The sharded adapter's response channel goes straight to onResponse: no uid or nsp filter, responses only.
  const std::string count = R"({"type":11,"data":{"requestId":"r","clientCount":2},"uid":"OwnUid"})";
  check_outcome(decode_cluster_message(sharded, count), cluster_outcome::ignored, "own uid");
  const auto m = applied(decode_cluster_response(sharded, count));
  CHECK(m.type == cluster_message_type::broadcast_client_count);
  CHECK(std::get<answer>(m.body).request_id == "r");
  CHECK(m.nsp.empty());
  check_outcome(decode_cluster_response(sharded, R"({"type":3,"data":{},"uid":"u","nsp":"/"})"),
                cluster_outcome::ignored, "not a response type");
  check_outcome(decode_cluster_response(sharded, R"({"type":11,"uid":"u","nsp":"/"})"), cluster_outcome::malformed,
                "data missing");
  // The streams adapter filters its private channel as any message.
  check_outcome(decode_cluster_response(streams, msgpack_of(count)), cluster_outcome::ignored, "own uid");
}

TEST_CASE("cluster receive: malformed messages, where Node would throw") {
  struct row {
    const char* json;
    const char* reason;
  };
  const row rows[] = {
      {R"({"uid":"u","nsp":"/","type":3})", "data missing"},
      {R"({"uid":"u","nsp":"/","type":3,"data":null})", "data missing"},
      {R"({"uid":"u","nsp":"/","type":3,"data":{"packet":{"type":2,"data":["e"]}}})", "opts missing"},
      {R"({"uid":"u","nsp":"/","type":3,"data":{"packet":{"type":2,"data":["e"]},"opts":{"rooms":5}}})",
       "opts.rooms is not iterable"},
      {R"({"uid":"u","nsp":"/","type":3,"data":{"packet":{"type":2,"data":["e"]},"opts":{"except":{}}}})",
       "opts.except is not iterable"},
      {R"({"uid":"u","nsp":"/","type":3,"data":{"packet":"x","opts":{}}})", "packet is not an object"},
      {R"({"uid":"u","nsp":"/","type":3,"data":{"opts":{}}})", "packet is not an object"},
      {R"({"uid":"u","nsp":"/","type":3,"data":{"packet":{"type":5,"data":["e"]},"opts":{}}})",
       "packet type is not 2 (EVENT)"},
      {R"({"uid":"u","nsp":"/","type":4,"data":{"rooms":["a"]}})", "opts missing"},
      {R"({"uid":"u","nsp":"/","type":5,"data":{"opts":{},"rooms":"a"}})", "rooms is not an array"},
      {R"({"uid":"u","nsp":"/","type":6})", "data missing"},
      {R"({"uid":"u","nsp":"/","type":7,"data":{"requestId":"q"}})", "opts missing"},
      {R"({"uid":"u","nsp":"/","type":9,"data":{"packet":"ping"}})", "packet is not an array"},
      {R"({"uid":"u","nsp":"/","type":9,"data":{"requestId":"q"}})", "packet is not an array"},
      {R"({"uid":"u","nsp":"/","type":12})", "data missing"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.json);
    check_outcome(decode_cluster_message(sharded, r.json), cluster_outcome::malformed, r.reason);
    check_outcome(decode_cluster_message(streams, msgpack_of(r.json)), cluster_outcome::malformed, r.reason);
  }
  // A primitive opts reads as {} (no rooms): no throw.
  CHECK(applied(decode_cluster_message(sharded, R"({"uid":"u","nsp":"/","type":6,"data":{"opts":5}})")).type ==
        cluster_message_type::disconnect_sockets);
  // Undecodable bytes, and a null message (message.uid is a TypeError).
  CHECK(decode_cluster_message(sharded, "{\"type\":").outcome == cluster_outcome::malformed);
  CHECK(decode_cluster_message(sharded, from_hex("c1")).outcome == cluster_outcome::malformed);
  check_outcome(decode_cluster_message(sharded, from_hex("c0")), cluster_outcome::malformed, "message is null");
  CHECK(decode_cluster_message(streams, from_hex("81a3756964")).outcome == cluster_outcome::malformed);
  const std::string_view bad_data[] = {"uid", "u", "nsp", "/", "type", "3", "data", "{\"packet\""};
  CHECK(decode_stream_entry(streams, stream_entry_of(bad_data)).outcome == cluster_outcome::malformed);
  const std::string_view bad_base64[] = {"uid", "u", "nsp", "/", "type", "3", "data", "gq"};  // 0x82, then nothing
  CHECK(decode_stream_entry(streams, stream_entry_of(bad_base64)).outcome == cluster_outcome::malformed);
}

TEST_CASE("cluster responses: exact bytes (JSON.stringify, notepack, @msgpack/msgpack)") {
  const cluster_responder sharded_server{cluster_adapter::sharded, "socket.io", "/", "abcd"};
  const cluster_responder streams_server{cluster_adapter::streams, "socket.io", "/", "abcd"};
  const sio::value id("r1");

  command c = cluster_client_count_response(sharded_server, "req", id, 3);
  CHECK(c.verb == "SPUBLISH");
  CHECK(c.channel == "socket.io#/#req#");
  CHECK(c.payload == R"({"type":11,"data":{"requestId":"r1","clientCount":3},"uid":"abcd","nsp":"/"})");
  c = cluster_client_count_response(streams_server, "req", id, 3);
  CHECK(c.verb == "PUBLISH");
  CHECK(c.channel == "socket.io#/#req#");
  CHECK(to_hex(c.payload) == to_hex(from_hex("84a4747970650ba46461746182a9726571756573744964a27231ab636c69"
                                             "656e74436f756e7403a3756964a461626364a36e7370a12f")));

  CHECK(cluster_broadcast_ack_response(sharded_server, "req", id, sio::json(R"({"ok":[1,"a"]})")).payload ==
        R"({"type":12,"data":{"requestId":"r1","packet":{"ok":[1,"a"]}},"uid":"abcd","nsp":"/"})");
  // No ack argument: JSON leaves packet out, @msgpack/msgpack writes nil.
  CHECK(cluster_broadcast_ack_response(sharded_server, "req", id, sio::value::undefined()).payload ==
        R"({"type":12,"data":{"requestId":"r1"},"uid":"abcd","nsp":"/"})");
  CHECK(to_hex(cluster_broadcast_ack_response(streams_server, "req", id, sio::value::undefined()).payload) ==
        to_hex(from_hex("84a4747970650ca46461746182a9726571756573744964a27231a6706163"
                        "6b6574c0a3756964a461626364a36e7370a12f")));
  // Binary in a sharded response: the whole message in notepack.
  c = cluster_broadcast_ack_response(sharded_server, "req", id, sio_test::bytes_of({1, 2}));
  CHECK(c.verb == "SPUBLISH");
  CHECK(to_hex(c.payload) == to_hex(from_hex("84a4747970650ca46461746182a9726571756573744964a27231a6706163"
                                             "6b6574c4020102a3756964a461626364a36e7370a12f")));

  CHECK(cluster_server_side_emit_response(sharded_server, "req", id, sio::value("pong")).payload ==
        R"({"type":10,"data":{"requestId":"r1","packet":"pong"},"uid":"abcd","nsp":"/"})");
  CHECK(decode_msgpack(cluster_server_side_emit_response(streams_server, "req", id, sio::value("pong")).payload) ==
        sio::json(R"({"type":10,"data":{"requestId":"r1","packet":"pong"},"uid":"abcd","nsp":"/"})"));

  const socket_description socket{"sid1", R"({"headers":{},"issued":1})", {"sid1"}, "{}"};
  c = cluster_fetch_sockets_response(sharded_server, "req", id, {socket});
  CHECK(c.payload == R"({"type":8,"data":{"requestId":"r1","sockets":[{"id":"sid1","handshake":{"headers":{},)"
                     R"("issued":1},"rooms":["sid1"],"data":{}}]},"uid":"abcd","nsp":"/"})");
  c = cluster_fetch_sockets_response(streams_server, "req", id, {socket});
  CHECK(c.verb == "PUBLISH");
  CHECK(c.payload.front() != '{');
  CHECK(decode_msgpack(c.payload) ==
        sio::json(R"({"type":8,"data":{"requestId":"r1","sockets":[{"id":"sid1","handshake":{"headers":{},)"
                  R"("issued":1},"rooms":["sid1"],"data":{}}]},"uid":"abcd","nsp":"/"})"));

  // A requestId Node would echo as decoded, and a channel named after a uid that is not a string.
  const auto m =
      applied(decode_cluster_message(sharded, R"({"uid":5,"nsp":"/","type":7,"data":{"opts":{},"requestId":7}})"));
  CHECK(m.reply_to == "5");
  c = cluster_fetch_sockets_response(sharded_server, m.reply_to, std::get<cluster_fetch_sockets>(m.body).request_id,
                                     {});
  CHECK(c.channel == "socket.io#/#5#");
  CHECK(c.payload == R"({"type":8,"data":{"requestId":7,"sockets":[]},"uid":"abcd","nsp":"/"})");
  CHECK(applied(decode_cluster_message(sharded, R"({"nsp":"/","type":2})")).reply_to == "undefined");
  CHECK(applied(decode_cluster_message(sharded, R"({"uid":["a",1,null],"nsp":"/","type":2})")).reply_to == "a,1,");
}
