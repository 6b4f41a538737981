// Requests as the Node adapter's onrequest reads them (PROTOCOL.md §2, §3.3) and the responses it publishes (§8).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sio/internal/protocol/classic_receive.hpp"
#include "sio/value.hpp"
#include "protocol_vectors.hpp"
#include "sio/internal/value/notepack_writer.hpp"

using namespace sio::detail;
using sio_test::protocol_vector;

namespace {

using strings = std::vector<std::string>;

classic_request handled(std::string_view payload) {
  auto d = decode_request(payload, "OwnUid");
  REQUIRE_MESSAGE(d.outcome == request_outcome::handle, d.reason);
  return *d.req;
}

std::string msgpack_of(std::string_view json_text) {
  std::string out;
  sio::detail::notepack_writer(out).value(sio::json(json_text));
  return out;
}

}  // namespace

TEST_CASE("emitter vectors: socketsJoin, socketsLeave, disconnectSockets, serverSideEmit") {
  auto r = handled(protocol_vector("new Emitter(c).socketsJoin(\"room2\")").payload);
  CHECK(r.type == classic_request_type::remote_join);
  CHECK_FALSE(r.legacy);
  CHECK(r.target.rooms.empty());
  CHECK(r.rooms == strings{"room2"});
  CHECK(r.uid.is_undefined());

  r = handled(protocol_vector("new Emitter(c).in(\"room1\").except(\"x\").socketsJoin").payload);
  CHECK(r.target.rooms == strings{"room1"});
  CHECK(r.target.except == strings{"x"});
  CHECK(r.rooms == strings{"a", "b"});

  r = handled(protocol_vector("new Emitter(c).in(\"room1\").socketsLeave").payload);
  CHECK(r.type == classic_request_type::remote_leave);
  CHECK(r.rooms == strings{"room2"});

  const auto admin = protocol_vector("new Emitter(c).of(\"/admin\").in(\"room1\").disconnectSockets(true)");
  CHECK(admin.channel == "socket.io-request#/admin#");
  r = handled(admin.payload);
  CHECK(r.type == classic_request_type::remote_disconnect);
  CHECK(r.close);
  CHECK(r.target.rooms == strings{"room1"});
  CHECK_FALSE(handled(protocol_vector("new Emitter(c).disconnectSockets()").payload).close);

  r = handled(protocol_vector("new Emitter(c).serverSideEmit").payload);
  CHECK(r.type == classic_request_type::server_side_emit);
  CHECK(sio::to_json(r.data) == R"(["ping",{"a":1},2])");
  CHECK(r.request_id.is_undefined());
}

TEST_CASE("Node server forms (uid first, requestId, msgpack type 7)") {
  auto r = handled(R"({"uid":"LCTDbq","type":2,"opts":{"rooms":[],"except":[]},"rooms":["x"]})");
  CHECK(r.rooms == strings{"x"});
  CHECK(r.uid == sio::value("LCTDbq"));

  r = handled(R"({"uid":"LCTDbq","requestId":"E8GQzn","type":5,"opts":{"rooms":[],"except":[]}})");
  CHECK(r.type == classic_request_type::remote_fetch);
  CHECK(r.request_id == sio::value("E8GQzn"));
  CHECK(handled(R"({"uid":"LCTDbq","requestId":"s-h-_J","type":1})").type == classic_request_type::all_rooms);

  r = handled(R"({"uid":"LCTDbq","requestId":"q","type":0,"rooms":["user:42"]})");
  CHECK(r.type == classic_request_type::sockets);
  CHECK(r.socket_rooms.names == strings{"user:42"});

  r = handled(msgpack_of(R"({"uid":"LCTDbq","requestId":"12EQCM","type":7,"packet":{"type":2,"data":["q"],)"
                         R"("nsp":"/"},"opts":{"rooms":["r"],"except":[],"flags":{"timeout":1000}}})"));
  CHECK(r.type == classic_request_type::broadcast);
  CHECK(r.request_id == sio::value("12EQCM"));
  CHECK(sio::to_json(r.data) == R"(["q"])");
  CHECK(r.target.rooms == strings{"r"});
}

TEST_CASE("legacy 2/3/4 with sid and room") {
  auto r = handled(R"({"type":2,"sid":"abc","room":"vip","requestId":"R1"})");
  CHECK(r.legacy);
  CHECK(r.sid == "abc");
  CHECK(r.rooms == strings{"vip"});
  r = handled(R"({"type":4,"sid":"abc","close":true,"requestId":"R2"})");
  CHECK(r.legacy);
  CHECK(r.close);
  CHECK(decode_request(R"({"type":3,"room":"vip"})", "OwnUid").outcome == request_outcome::ignored);
}

TEST_CASE("self-filter, unknown types and malformed requests") {
  CHECK(decode_request(R"({"uid":"OwnUid","type":6,"data":["e"]})", "OwnUid").outcome == request_outcome::ignored);
  CHECK(decode_request(R"({"uid":"OwnUid","type":2,"opts":{},"rooms":["x"]})", "OwnUid").outcome ==
        request_outcome::handle);  // 2/3/4 do not skip their own uid
  CHECK(decode_request(R"({"type":8,"requestId":"x","clientCount":1})", "u").outcome == request_outcome::ignored);
  CHECK(decode_request(R"({"type":"2"})", "u").outcome == request_outcome::ignored);
  CHECK(decode_request(R"({"type":2.5})", "u").outcome == request_outcome::ignored);
  CHECK(decode_request(R"({"type":)", "u").outcome == request_outcome::malformed);
  CHECK(decode_request("\xc1", "u").outcome == request_outcome::malformed);
  CHECK(decode_request(R"({"type":5,"requestId":"x"})", "u").outcome == request_outcome::malformed);  // no opts
  CHECK(decode_request(R"({"type":7,"requestId":"x","opts":{}})", "u").outcome == request_outcome::malformed);
  CHECK(decode_request(R"({"type":0,"rooms":3})", "u").outcome == request_outcome::malformed);
}

TEST_CASE("responses are byte-exact JSON.stringify / notepack") {
  CHECK(sockets_response(sio::value("q"), {"a", "b"}) == R"({"requestId":"q","sockets":["a","b"]})");
  CHECK(sockets_response(sio::value::undefined(), {}) == R"({"sockets":[]})");
  CHECK(all_rooms_response(sio::value("s-h-_J"), {"eSst", "room1"}) == R"({"requestId":"s-h-_J","rooms":["eSst","room1"]})");
  CHECK(legacy_response(sio::value("R1")) == R"({"requestId":"R1"})");
  CHECK(legacy_response(sio::value(7)) == R"({"requestId":7})");
  CHECK(client_count_response(sio::value("12EQCM"), 1) == R"({"type":8,"requestId":"12EQCM","clientCount":1})");
  sio::detail::socket_description s;
  s.id = "sid1";
  s.handshake_json = R"({"headers":{},"time":"t"})";
  s.rooms = {"sid1", "user:42"};
  CHECK(fetch_sockets_response(sio::value("E8GQzn"), {s}) ==
        R"({"requestId":"E8GQzn","sockets":[{"id":"sid1","handshake":{"headers":{},"time":"t"},)"
        R"("rooms":["sid1","user:42"],"data":{}}]})");
  CHECK(fetch_sockets_response(sio::value("x"), {}) == R"({"requestId":"x","sockets":[]})");
  CHECK(broadcast_ack_response(sio::value("12EQCM"), sio::value("client-ack")) ==
        sio_test::from_hex("83 a4 74 79 70 65 09 a9 72 65 71 75 65 73 74 49 64 a6 31 32 45 51 43 4d"
                               " a6 70 61 63 6b 65 74 aa 63 6c 69 65 6e 74 2d 61 63 6b"));
  // an ack without arguments: packet is undefined and left out
  CHECK(sio::msgpack_to_json(broadcast_ack_response(sio::value("r"), sio::value::undefined())) ==
        R"({"type":9,"requestId":"r"})");
}

TEST_CASE("a request nested a million levels deep is malformed, not a crash (JSON and msgpack)") {
  const std::string deep_json = R"({"uid":"x","type":2,"opts":{"rooms":)" + std::string(1'000'000, '[') +
                                std::string(1'000'000, ']') + "}}";
  CHECK(decode_request(deep_json, "OwnUid").outcome == request_outcome::malformed);
  const std::string deep_msgpack = std::string("\x92\xa1x", 3) + std::string(1'000'000, '\x91') + '\xc0';
  CHECK(decode_request(deep_msgpack, "OwnUid").outcome == request_outcome::malformed);
}
