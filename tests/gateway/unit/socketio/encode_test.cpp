// encode_event: the bytes a Node server (socket.io-parser 4.2.7) sends for the same decoded value
// (PROTOCOL.md §6.5 table, §7.7 examples).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "socketio/encode.hpp"
#include "sio/internal/value/msgpack_reader.hpp"

using sio::gateway::socketio::encode_event;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string out;
  for (int c : b) out += static_cast<char>(c);
  return out;
}

// data = ["e", <msgpack value>] decoded as notepack does on a Node server.
sio::value event_e_with(const std::string& msgpack_value) {
  return sio::detail::decode_msgpack(bytes({0x92, 0xa1, 'e'}) + msgpack_value);
}

}  // namespace

TEST_CASE("encode §6.5: numbers are written as JavaScript doubles") {
  CHECK(encode_event("/", event_e_with(bytes({0xcf, 0x10, 0, 0, 0, 0, 0, 0, 0})))->text ==
        R"(42["e",1152921504606847000])");
  CHECK(encode_event("/", event_e_with(bytes({0xca, 0x3f, 0x8c, 0xcc, 0xcd})))->text ==
        R"(42["e",1.100000023841858])");
}

TEST_CASE("encode §6.5: maps keep JavaScript key order, a duplicate key keeps the last value") {
  CHECK(encode_event("/", event_e_with(bytes({0x82, 0xa1, 'b', 0x01, 0xa1, '2', 0x02})))->text ==
        R"(42["e",{"2":2,"b":1}])");
  CHECK(encode_event("/", event_e_with(bytes({0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02})))->text ==
        R"(42["e",{"a":2}])");
}

TEST_CASE("encode §6.5: a Date becomes its ISO string (ms precision), nil null") {
  CHECK(encode_event("/", event_e_with(bytes({0xd7, 0xff, 0x1d, 0x53, 0x53, 0x00, 0x65, 0x53, 0xf1, 0x00})))->text ==
        R"(42["e","2023-11-14T22:13:20.123Z"])");
  const auto nil = encode_event("/", event_e_with(bytes({0xc0})));
  CHECK(nil->text == R"(42["e",null])");
  CHECK(nil->attachments.empty());
}

TEST_CASE("encode §6.5: binary becomes a placeholder and an attachment (BINARY_EVENT)") {
  const auto ext = encode_event("/", event_e_with(bytes({0xd5, 0x05, 0x01, 0x02})));
  CHECK(ext->text == R"(451-["e",[5,{"_placeholder":true,"num":0}]])");
  CHECK(ext->attachments == std::vector<std::string>{bytes({0x01, 0x02})});

  const auto in_map = encode_event("/", event_e_with(bytes({0x81, 0xa1, 'k', 0xc4, 0x02, 0x0a, 0x0b})));
  CHECK(in_map->text == R"(451-["e",{"k":{"_placeholder":true,"num":0}}])");
  CHECK(in_map->attachments == std::vector<std::string>{bytes({0x0a, 0x0b})});
}

TEST_CASE("encode §6.5: a numeric event name and invalid data are written as given") {
  CHECK(encode_event("/", sio::detail::decode_msgpack(bytes({0x92, 0x2a, 0x01})))->text == "42[42,1]");
  CHECK(encode_event("/", sio::json(R"(["disconnect",1])"))->text == R"(42["disconnect",1])");
  CHECK(encode_event("/", sio::json("[]"))->text == "42[]");
  CHECK(encode_event("/", sio::json(R"({"e":1})"))->text == R"(42{"e":1})");
  CHECK(encode_event("/", sio::json(R"("e")"))->text == R"(42"e")");
  // socket.io-parser writes no JSON for null data.
  CHECK(encode_event("/", sio::value(nullptr))->text == "42");
}

TEST_CASE("encode §7.7: events, ack ids, namespaces") {
  CHECK(encode_event("/", sio::json(R"(["text","héllo",1,{"a":[true,null]}])"))->text ==
        R"(42["text","héllo",1,{"a":[true,null]}])");
  CHECK(encode_event("/", sio::json(R"(["withack",5])"), 0)->text == R"(420["withack",5])");
  CHECK(encode_event("/", sio::json(R"(["q"])"), 17)->text == R"(4217["q"])");
  CHECK(encode_event("/admin", sio::json(R"(["x"])"))->text == R"(42/admin,["x"])");
  CHECK(encode_event("/admin", sio::json(R"(["x"])"), 7)->text == R"(42/admin,7["x"])");
}

TEST_CASE("encode §7.7: two attachments, depth first in order, with namespace and ack id") {
  const sio::value data(sio::value::array_type{
      "bin", sio::binary(bytes({1, 2, 3})),
      sio::value::object({{"nested", sio::binary(bytes({4}))}})});
  const auto packet = encode_event("/", data);
  CHECK(packet->text == R"(452-["bin",{"_placeholder":true,"num":0},{"nested":{"_placeholder":true,"num":1}}])");
  CHECK(packet->attachments == std::vector<std::string>{bytes({1, 2, 3}), bytes({4})});

  const auto admin = encode_event("/admin", data, 3);
  CHECK(admin->text ==
        R"(452-/admin,3["bin",{"_placeholder":true,"num":0},{"nested":{"_placeholder":true,"num":1}}])");
  CHECK(admin->attachments.size() == 2);
}

TEST_CASE("encode: JSON.stringify rules inside the data (undefined, Dates, escapes, empty binary)") {
  const sio::value data(sio::value::array_type{
      "e",
      sio::value::object({{"gone", sio::value::undefined()}, {"kept", 1}, {"when", sio::date{0}}}),
      sio::value::undefined(),
      "a\"b\\c\n\x01",
      sio::binary(std::string{}),
  });
  const auto packet = encode_event("/", data);
  CHECK(packet->text ==
        R"(451-["e",{"kept":1,"when":"1970-01-01T00:00:00.000Z"},null,"a\"b\\c\n\u0001",{"_placeholder":true,"num":0}])");
  CHECK(packet->attachments == std::vector<std::string>{std::string{}});
}
