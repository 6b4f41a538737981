// The streams adapter's encoding (PROTOCOL.md §5). Expected msgpack bytes were produced by @msgpack/msgpack 2.8.0
// (the streams adapter's encoder) for the same objects, and the stream names by the adapter's own hashCode().
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sio/internal/protocol/streams_codec.hpp"
#include "codec_test_support.hpp"
#include "test_value_support.hpp"

using sio::detail::operation;
using sio::detail::operation_kind;
using sio::detail::stream_settings;
using sio::detail::target;

namespace {

using sio_test::bytes_of;
using sio_test::to_rooms;
using sio_test::make_operation;

// The whole command as Redis receives it.
std::vector<std::string> argv_of(const sio::detail::command& c) {
  std::vector<std::string> argv{c.verb, c.channel};
  argv.insert(argv.end(), c.between.begin(), c.between.end());
  argv.push_back(c.payload);
  return argv;
}

}  // namespace

TEST_CASE("streams: a broadcast is one XADD entry with the streams emitter's fields") {
  const auto t = to_rooms({"user:42"});
  const std::vector<sio::value> args{sio::json(R"({"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000})")};
  const auto command = argv_of(sio::detail::encode_streams(make_operation(operation_kind::broadcast, t, "notification", args), {}));
  CHECK(command == std::vector<std::string>{
                       "XADD", "socket.io", "MAXLEN", "~", "10000", "*", "uid", "emitter", "nsp", "/", "type", "3",
                       "data",
                       R"({"packet":{"type":2,"data":["notification",{"type":"ORDER_UPDATED","payload":{"id":1},)"
                       R"("timestamp":1700000000000}],"nsp":"/"},"opts":{"rooms":["user:42"],"flags":{},"except":[]}})"});
  auto flagged = to_rooms({"a", "b"}, {"c"});
  flagged.set_flag(sio::detail::broadcast_flag::volatile_, true);
  flagged.nsp = "/admin";
  const auto data = sio::detail::encode_stream_data(make_operation(operation_kind::broadcast, flagged, "e"));
  CHECK(data == R"({"packet":{"type":2,"data":["e"],"nsp":"/admin"},"opts":{"rooms":["a","b"],)"
                R"("flags":{"volatile":true},"except":["c"]}})");
}

TEST_CASE("streams: socket management and serverSideEmit") {
  const auto other = to_rooms({"other"}, {"k"});
  const std::vector<std::string> j{"j"};
  auto join = make_operation(operation_kind::sockets_join, other);
  join.rooms = j;
  const auto command = argv_of(sio::detail::encode_streams(join, {}));
  CHECK(command.at(11) == "4");
  CHECK(command.at(13) == R"({"opts":{"rooms":["other"],"except":["k"],"flags":{}},"rooms":["j"]})");
  auto leave = join;
  leave.kind = operation_kind::sockets_leave;
  CHECK(argv_of(sio::detail::encode_streams(leave, {})).at(11) == "5");
  auto disconnect = make_operation(operation_kind::disconnect_sockets, other);
  disconnect.close = true;
  CHECK(argv_of(sio::detail::encode_streams(disconnect, {})).at(11) == "6");
  CHECK(sio::detail::encode_stream_data(disconnect) ==
        R"({"opts":{"rooms":["other"],"except":["k"],"flags":{}},"close":true})");
  const target all;
  const std::vector<sio::value> args{sio::value(1), sio::json(R"({"a":"b"})")};
  const auto sse = make_operation(operation_kind::server_side_emit, all, "sse", args);
  CHECK(argv_of(sio::detail::encode_streams(sse, {})).at(11) == "9");
  CHECK(sio::detail::encode_stream_data(sse) == R"({"packet":["sse",1,{"a":"b"}]})");
}

TEST_CASE("streams: binary data is base64 of @msgpack/msgpack, with its number rules") {
  const auto t = to_rooms({"user:42"});
  const std::vector<sio::value> bin{bytes_of({1, 2, 3})};
  CHECK(sio::detail::encode_stream_data(make_operation(operation_kind::broadcast, t, "bin", bin)) ==
        "gqZwYWNrZXSDpHR5cGUCpGRhdGGSo2JpbsQDAQIDo25zcKEvpG9wdHODpXJvb21zkad1c2VyOjQypWZsYWdzgKZleGNlcHSQ");

  // Beyond 2^53 @msgpack/msgpack writes float64 where notepack writes ints; undefined members are nil.
  auto flagged = to_rooms({}, {"x"});
  flagged.nsp = "/admin";
  flagged.set_flag(sio::detail::broadcast_flag::volatile_, true);
  const std::vector<sio::value> numbers{bytes_of({0}),
                                        sio::value(9007199254740992.0),
                                        sio::value(18446744073709551616.0),
                                        sio::value(-9223372036854775808.0),
                                        sio::value(1.5),
                                        sio::value(-0.0),
                                        sio::value(4294967296.0),
                                        sio::value(9007199254740991.0),
                                        sio::value(-9007199254740991.0),
                                        sio::date(1700000000123),
                                        sio::value::object({{"u", sio::value::undefined()}})};
  CHECK(sio::detail::encode_stream_data(make_operation(operation_kind::broadcast, flagged, "n", numbers)) ==
        "gqZwYWNrZXSDpHR5cGUCpGRhdGGcoW7EAQDLQ0AAAAAAAADLQ/AAAAAAAADLw+AAAAAAAADLP/gAAAAAAAAAzwAAAAEAAAAAzwAf////////"
        "0//gAAAAAAAB1/8dU1MAZVPxAIGhdcCjbnNwpi9hZG1pbqRvcHRzg6Vyb29tc5ClZmxhZ3OBqHZvbGF0aWxlw6ZleGNlcHSRoXg=");

  const target all;
  const std::vector<sio::value> nine{bytes_of({9})};
  CHECK(sio::detail::encode_stream_data(make_operation(operation_kind::server_side_emit, all, "sse", nine)) ==
        "gaZwYWNrZXSSo3NzZcQBCQ==");
}

TEST_CASE("streams: the stream name follows streamName, streamCount and the adapter's hashCode") {
  CHECK(sio::detail::stream_name_for("/", {}) == "socket.io");
  CHECK(sio::detail::stream_name_for("/chat", {.stream_name = "app", .stream_count = 1}) == "app");
  CHECK(sio::detail::stream_name_for("/", {.stream_count = 3}) == "socket.io-2");
  CHECK(sio::detail::stream_name_for("/admin", {.stream_count = 3}) == "socket.io-1");
  CHECK(sio::detail::stream_name_for("/admin", {.stream_count = 4}) == "socket.io-0");
  CHECK(sio::detail::stream_name_for("/chat", {.stream_count = 4}) == "socket.io-3");
  // A negative hash keeps its sign in JavaScript's remainder, as the adapter's publisher writes it.
  CHECK(sio::detail::stream_name_for("/notifications", {.stream_count = 3}) == "socket.io--2");
  // UTF-16 units: "é" is one, an emoji two.
  CHECK(sio::detail::stream_name_for("/\xc3\xa9\xf0\x9f\x98\x80", {.stream_count = 3}) == "socket.io-2");
  CHECK(sio::detail::stream_name_for("/\xc3\xa9\xf0\x9f\x98\x80", {.stream_count = 4}) == "socket.io-1");
  const target t;
  CHECK(argv_of(sio::detail::encode_streams(make_operation(operation_kind::broadcast, t, "e"), {.max_len = 500})).at(4) == "500");
}
