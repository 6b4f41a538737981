// Connection state recovery on the streams adapter (redis-streams-adapter 0.3.1 persistSession/restoreSession):
// the session values are the bytes @msgpack/msgpack 2.8 writes for a Node server's session (printed by Node), so a
// session one server stores the other restores.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/protocol/stream_recovery.hpp"
#include "sio/value.hpp"

using namespace sio::detail;

namespace {

using strings = std::vector<std::string>;

stream_entry entry(std::string_view nsp, std::string_view type, std::string_view data) {
  stream_entry e;
  e.uid = "nodeUid";
  e.nsp = nsp;
  e.type = type;
  e.data = data;
  return e;
}

constexpr std::string_view to_user_1 =
    R"({"packet":{"type":2,"data":["ORDER",{"id":7}],"nsp":"/"},"opts":{"rooms":["user:1"],"except":[],"flags":{}}})";

}  // namespace

TEST_CASE("stream recovery: a session is stored as a Node server stores it") {
  recovery_session s{"AbC-d_1", "pid0", {"AbC-d_1", "user:42"}, sio::value::object({})};
  // Node: Buffer.from(encode({sid, pid, rooms, data: {}})).toString("base64")
  CHECK(encode_session(s) == "hKNzaWSnQWJDLWRfMaNwaWSkcGlkMKVyb29tc5KnQWJDLWRfMad1c2VyOjQypGRhdGGA");
  CHECK(session_key(default_session_key_prefix, "pid0") == "sio:session:pid0");
}

TEST_CASE("stream recovery: a Node session is read back with its data") {
  const auto s = decode_session("hKNzaWShc6NwaWShcKVyb29tc5GhcqRkYXRhg6Fuyz/4AAAAAAAAo2JpZ8tDQAAAAAAAAKFixAIBAg==");
  REQUIRE(s.has_value());
  CHECK(s->sid == "s");
  CHECK(s->pid == "p");
  CHECK(s->rooms == strings{"r"});
  CHECK(sio::to_json(s->data) == R"({"n":1.5,"big":9007199254740992,"b":{"type":"Buffer","data":[1,2]}})");
  // data: undefined is stored as nil
  const auto nil = decode_session("hKNzaWShc6NwaWShcKVyb29tc5CkZGF0YcA=");
  REQUIRE(nil.has_value());
  CHECK(nil->rooms.empty());
  // Round trip
  const auto again = decode_session(encode_session(*s));
  REQUIRE(again.has_value());
  CHECK(again->rooms == s->rooms);
}

TEST_CASE("stream recovery: values that are not sessions start a new session") {
  CHECK_FALSE(decode_session("").has_value());
  CHECK_FALSE(decode_session("not base64 msgpack!").has_value());
  // {sid: 1, pid: "p", rooms: []}
  recovery_session s{"s", "p", {}, sio::value::object({})};
  const std::string good = encode_session(s);
  CHECK(decode_session(good).has_value());
  CHECK_FALSE(decode_session(good.substr(0, good.size() - 8)).has_value());  // truncated
}

TEST_CASE("stream recovery: offsets are checked and advanced as restoreSession does") {
  CHECK(valid_stream_offset("1700000000000-0"));
  CHECK(valid_stream_offset("0-18446744073709551615"));
  CHECK_FALSE(valid_stream_offset("1700000000000"));
  CHECK_FALSE(valid_stream_offset("-1"));
  CHECK_FALSE(valid_stream_offset("1-"));
  CHECK_FALSE(valid_stream_offset("1-2-3"));
  CHECK_FALSE(valid_stream_offset("1-2 "));
  CHECK_FALSE(valid_stream_offset("$"));
  CHECK(next_stream_offset("1700000000000-0") == "1700000000000-1");
  CHECK(next_stream_offset("5-41") == "5-42");
  CHECK(next_stream_offset("5-18446744073709551615") == "6-0");
  CHECK(compare_stream_offsets("5-41", "5-42") < 0);
  CHECK(compare_stream_offsets("10-0", "9-99") > 0);  // numbers, not text
  CHECK(compare_stream_offsets("7-3", "7-3") == 0);
  CHECK(compare_stream_offsets("0-0", "1-0") < 0);
}

TEST_CASE("stream recovery: only the disconnections socket.io recovers persist a session") {
  for (const char* reason : {"transport error", "transport close", "forced close", "ping timeout",
                             "server shutting down", "forced server close"})
    CHECK(recoverable_disconnect_reason(reason));
  for (const char* reason : {"client namespace disconnect", "server namespace disconnect", "parse error", ""})
    CHECK_FALSE(recoverable_disconnect_reason(reason));
}

TEST_CASE("stream recovery: shouldIncludePacket") {
  const strings rooms{"sid1", "user:1"};
  CHECK(should_include_packet(rooms, {{}, {}}));
  CHECK(should_include_packet(rooms, {{"user:1"}, {}}));
  CHECK_FALSE(should_include_packet(rooms, {{"user:2"}, {}}));
  CHECK_FALSE(should_include_packet(rooms, {{}, {"sid1"}}));
  CHECK_FALSE(should_include_packet(rooms, {{"user:1"}, {"user:1"}}));
  CHECK(should_include_packet(rooms, {{"user:2", "sid1"}, {"user:3"}}));
}

TEST_CASE("stream recovery: missed packets are the namespace's broadcasts to the socket, with the entry id") {
  const strings rooms{"sid1", "user:1"};
  const auto missed = missed_packet("/", entry("/", "3", to_user_1), "1-5", rooms);
  REQUIRE(missed.has_value());
  CHECK(sio::to_json(*missed) == R"(["ORDER",{"id":7},"1-5"])");
  CHECK_FALSE(missed_packet("/", entry("/", "3", to_user_1), "1-5", strings{"sid2", "user:2"}).has_value());
  CHECK_FALSE(missed_packet("/admin", entry("/", "3", to_user_1), "1-5", rooms).has_value());
  CHECK_FALSE(missed_packet("/", entry("/", "03", to_user_1), "1-5", rooms).has_value());  // "3" as text
  CHECK_FALSE(missed_packet("/", entry("/", "4", to_user_1), "1-5", rooms).has_value());
  CHECK_FALSE(missed_packet("/", entry("/", "3", "{not json"), "1-5", rooms).has_value());
  // A server's own broadcasts are replayed too (no own uid).
  auto own = entry("/", "3", to_user_1);
  own.uid = "";
  CHECK(missed_packet("/", own, "1-6", rooms).has_value());
}
