// Channel choice, flags, room sets and validation of the classic codec, through the public API.
#include <doctest/doctest.h>

#include <string>

#include "sio/emitter.hpp"

namespace {

const sio::Emitter io{sio::Options{.dry_run = true}};

// The decoded {rooms, flags, except} part of a broadcast, for readable assertions.
std::string decoded(const sio::Published& p) { return sio::msgpack_to_json(p.payload); }

template <class F>
sio::errc error_of(F&& call) {
  try {
    call();
  } catch (const sio::data_error& e) {
    return e.code();
  }
  return sio::errc::ok;
}

template <class F>
std::string message_of(F&& call) {
  try {
    call();
  } catch (const sio::error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("channel: base channel for 0 or 2+ rooms, room channel for exactly one") {
  CHECK(io.emit_sync("e").channel == "socket.io#/#");
  CHECK(io.to("a").emit_sync("e").channel == "socket.io#/#a#");
  CHECK(io.to("a").except("b").emit_sync("e").channel == "socket.io#/#a#");
  CHECK(io.to("a").to("b").emit_sync("e").channel == "socket.io#/#");
  CHECK(io.to("a").to("a").emit_sync("e").channel == "socket.io#/#a#");  // a set: one room
  CHECK(io.except("b").emit_sync("e").channel == "socket.io#/#");
  CHECK(io.to("room with # and spaces \xc3\xa9").emit_sync("e").channel == "socket.io#/#room with # and spaces \xc3\xa9#");
  CHECK(io.of("admin").emit_sync("e").channel == "socket.io#/admin#");
  CHECK(io.of("/a/b/").to("r").emit_sync("e").channel == "socket.io#/a/b/#r#");
  CHECK(io.of("").emit_sync("e").channel == "socket.io#/#");
}

TEST_CASE("requests go to the request channel of the namespace") {
  CHECK(io.socketsJoin("r").channel == "socket.io-request#/#");
  CHECK(io.of("admin").to("x").socketsLeave("r").channel == "socket.io-request#/admin#");
  CHECK(io.of("/admin").disconnectSockets().channel == "socket.io-request#/admin#");
  CHECK(io.of("/admin").serverSideEmit("e").channel == "socket.io-request#/admin#");
  const sio::Emitter myapp{sio::Options{.key = "myapp", .dry_run = true}};
  CHECK(myapp.socketsJoin("r").channel == "myapp-request#/#");
}

TEST_CASE("rooms and except are insertion-ordered sets") {
  const auto p = io.to({"b", "a"}).to("b").except({"z", "y", "z"}).emit_sync("e");
  CHECK(decoded(p) ==
        R"(["emitter",{"type":2,"data":["e"],"nsp":"/"},{"rooms":["b","a"],"flags":{},"except":["z","y"]}])");
  // in() is to().
  CHECK(io.in("a").emit_sync("e").payload == io.to("a").emit_sync("e").payload);
}

TEST_CASE("flags keep the order they were first set in, with the last value") {
  CHECK(decoded(io.volatile_().compress(false).emit_sync("e")).ends_with(
      R"({"rooms":[],"flags":{"volatile":true,"compress":false},"except":[]}])"));
  CHECK(decoded(io.compress(false).volatile_().emit_sync("e")).ends_with(
      R"({"rooms":[],"flags":{"compress":false,"volatile":true},"except":[]}])"));
  CHECK(decoded(io.compress(false).volatile_().compress(true).emit_sync("e")).ends_with(
      R"({"rooms":[],"flags":{"compress":true,"volatile":true},"except":[]}])"));
}

TEST_CASE("operators are immutable values") {
  const auto base = io.to("a");
  const auto wider = base.to("b");
  CHECK(base.emit_sync("e").channel == "socket.io#/#a#");
  CHECK(wider.emit_sync("e").channel == "socket.io#/#");
  const auto flagged = base.volatile_();
  CHECK(decoded(base.emit_sync("e")).find("volatile") == std::string::npos);
  CHECK(decoded(flagged.emit_sync("e")).find("volatile") != std::string::npos);
}

TEST_CASE("join and leave keep the rooms as given, disconnect carries close") {
  CHECK(io.socketsJoin({"a", "a"}).payload == R"({"type":2,"opts":{"rooms":[],"except":[]},"rooms":["a","a"]})");
  CHECK(io.to("x").socketsLeave("r").payload == R"({"type":3,"opts":{"rooms":["x"],"except":[]},"rooms":["r"]})");
  CHECK(io.except("q\"uote").disconnectSockets(false).payload ==
        R"({"type":4,"opts":{"rooms":[],"except":["q\"uote"]},"close":false})");
}

TEST_CASE("serverSideEmit arguments follow JSON.stringify") {
  const auto p = io.serverSideEmit("e", sio::value::undefined(), 1.5, -0.0, 1e21, "line\nbreak",
                                   sio::binary(std::string_view("\x01\x02")), sio::date{0});
  CHECK(p.payload ==
        R"({"uid":"emitter","type":6,"data":["e",null,1.5,0,1e+21,"line\nbreak",{"type":"Buffer","data":[1,2]},"1970-01-01T00:00:00.000Z"]})");
}

TEST_CASE("typed C++ arguments") {
  const std::vector<int> numbers{1, 2, 3};
  const std::map<std::string, std::optional<std::string>> fields{{"b", "x"}, {"a", std::nullopt}, {"1", "one"}};
  const auto p = io.emit_sync("typed", numbers, fields, std::optional<int>{}, 'x' == 'x', 3.0f, std::uint64_t{1} << 63);
  CHECK(decoded(p) ==
        R"(["emitter",{"type":2,"data":["typed",[1,2,3],{"1":"one","b":"x"},null,true,3,9223372036854776000],"nsp":"/"},{"rooms":[],"flags":{},"except":[]}])");
}

TEST_CASE("bad input is refused with a clear error before anything is published") {
  for (const char* name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}) {
    CAPTURE(name);
    CHECK(error_of([&] { io.emit_sync(name, 1); }) == sio::errc::reserved_event);
  }
  CHECK(message_of([] { io.emit_sync("disconnect"); }) == "\"disconnect\" is a reserved event name");
  CHECK(error_of([] { io.emit_sync(""); }) == sio::errc::invalid_argument);
  CHECK(message_of([] { io.emit_sync(""); }) == "the event name must not be empty");
  // serverSideEmit: Node's own reserved list, not the client one.
  for (const char* name : {"connect", "connection", "new_namespace"}) {
    CAPTURE(name);
    CHECK(error_of([&] { io.serverSideEmit(name); }) == sio::errc::reserved_event);
  }
  CHECK(message_of([] { io.serverSideEmit("connection"); }) ==
        "\"connection\" is a reserved event name for serverSideEmit");
  CHECK(error_of([] { io.serverSideEmit("disconnect"); }) == sio::errc::ok);
  CHECK(error_of([] { io.to("").emit_sync("e"); }) == sio::errc::invalid_argument);
  CHECK(error_of([] { io.except("").emit_sync("e"); }) == sio::errc::invalid_argument);
  CHECK(error_of([] { io.socketsJoin(std::vector<std::string>{}); }) == sio::errc::invalid_argument);
  CHECK(error_of([] { io.socketsLeave(""); }) == sio::errc::invalid_argument);
  CHECK(error_of([] { io.emit_sync("e\xff"); }) == sio::errc::invalid_utf8);
  CHECK(error_of([] { io.to("r\xc0\xaf").emit_sync("e"); }) == sio::errc::invalid_utf8);
  CHECK(error_of([] { io.emit_sync("e", "fine", std::vector<std::string>{"bad\xed\xa0\x80"}); }) == sio::errc::invalid_utf8);
  CHECK(error_of([] { io.serverSideEmit("e", "bad\xff"); }) == sio::errc::invalid_utf8);
  CHECK(error_of([] { (void)io.of("\xff"); }) == sio::errc::invalid_utf8);
  CHECK(error_of([] { sio::Emitter bad{sio::Options{.key = "", .dry_run = true}}; }) == sio::errc::invalid_argument);
  CHECK(error_of([] { sio::Emitter bad{sio::Options{.redis_url = "http://x", .dry_run = true}}; }) ==
        sio::errc::invalid_url);
}
