// The public Emitter against a real redis-server: exact bytes on the exact channel, receiver counts,
// credentials, failures, recovery after Redis comes back, and concurrent use from several threads.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/redis_server.hpp"
#include "sio/emitter.hpp"
#include "support/subscriber.hpp"

using namespace std::chrono_literals;

namespace {

sio::Emitter emitter_for(const std::string& url, std::string key = "socket.io") {
  return sio::Emitter(sio::Options{.redis_url = url, .key = std::move(key), .connect_timeout = 2000ms,
                                   .command_timeout = 2000ms});
}

// The bytes of PROTOCOL.md §9.1, captured from the real Node emitter.
const std::string vector_9_1 = [] {
  const char* hex =
      "93a7656d697474657283a47479706502a46461746192ac6e6f74696669636174696f6e83a474797065ad4f524445525f5550444154"
      "4544a77061796c6f616481a2696401a974696d657374616d70cf0000018bcfe56800a36e7370a12f83a5726f6f6d7391a775736572"
      "3a3432a5666c61677380a665786365707490";
  std::string out;
  for (const char* p = hex; p[0] && p[1]; p += 2) out += static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16));
  return out;
}();

template <class F>
sio::errc redis_error_of(F&& call) {
  try {
    call();
  } catch (const sio::redis_error& e) {
    return e.code();
  }
  return sio::errc::ok;
}

}  // namespace

TEST_CASE("emitter: a notification arrives byte for byte on the room channel, with the receiver count") {
  sio::test::redis_server redis;
  sio::test::subscriber server_a(redis, {"socket.io#/#*"});
  sio::test::subscriber server_b(redis, {"socket.io#/#*"});
  const auto io = emitter_for(redis.url());

  const auto published = io.to("user:42").emit_sync_args(
      "notification",
      sio::json_args(R"([{"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000}])"));
  CHECK(published.receivers == 2);  // one per subscribed server
  CHECK(published.payload == vector_9_1);
  for (auto* sub : {&server_a, &server_b}) {
    const auto message = sub->next_message(2s);
    REQUIRE(message.has_value());
    CHECK(message->channel == "socket.io#/#user:42#");
    CHECK(message->payload == vector_9_1);
  }
}

TEST_CASE("emitter: 0 receivers when no server listens on the key or namespace") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  CHECK(emitter_for(redis.url(), "other-app").emit_sync("e").receivers == 0);
  CHECK(emitter_for(redis.url()).of("/admin").emit_sync("e").receivers == 0);
  // Requests go to the request channel, which a pattern on broadcasts does not match.
  CHECK(emitter_for(redis.url()).socketsJoin("r").receivers == 0);
  CHECK_FALSE(server.next_message(200ms).has_value());
}

TEST_CASE("emitter: requests arrive as JSON on the request channel") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io-request#*"});
  const auto io = emitter_for(redis.url());
  CHECK(io.of("/admin").in("room1").disconnectSockets(true).receivers == 1);
  const auto message = server.next_message(2s);
  REQUIRE(message.has_value());
  CHECK(message->channel == "socket.io-request#/admin#");
  CHECK(message->payload == R"({"type":4,"opts":{"rooms":["room1"],"except":[]},"close":true})");
}

TEST_CASE("emitter: a refused call publishes nothing") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"*"});
  const auto io = emitter_for(redis.url());
  CHECK_THROWS_AS(io.emit_sync("disconnect", 1), sio::data_error);
  CHECK_THROWS_AS(io.emit_sync_args("e", sio::json_args("[1, {\"a\": tru}]")), sio::data_error);
  CHECK_THROWS_AS(io.emit_sync("e", "ok", std::vector<std::string>{"x", "bad\xff"}), sio::data_error);
  CHECK_THROWS_AS(io.to("").emit_sync("e"), sio::data_error);
  CHECK_FALSE(server.next_message(300ms).has_value());
}

TEST_CASE("emitter: password and ACL credentials") {
  sio::test::redis_server redis({.extra_args = {"--requirepass", "s3cret"}});
  const auto port = std::to_string(redis.port());
  redis.command({"ACL", "SETUSER", "notifier", "on", ">pw", "resetchannels", "&socket.io#*", "+publish"});
  redis.command({"ACL", "SETUSER", "reader", "on", ">pw", "allchannels", "+get"});

  CHECK(emitter_for("redis://:s3cret@127.0.0.1:" + port).emit_sync("e").receivers == 0);
  CHECK(emitter_for("redis://notifier:pw@127.0.0.1:" + port).to("user:1").emit_sync("e").receivers == 0);
  // Credentials from the options override the URL's.
  sio::Emitter with_options{sio::Options{.redis_url = "redis://127.0.0.1:" + port, .username = "notifier",
                                         .password = "pw"}};
  CHECK(with_options.emit_sync("e").receivers == 0);

  CHECK(redis_error_of([&] { emitter_for("redis://:wrong@127.0.0.1:" + port).emit_sync("e"); }) == sio::errc::auth);
  CHECK(redis_error_of([&] { emitter_for("redis://nobody:pw@127.0.0.1:" + port).emit_sync("e"); }) == sio::errc::auth);
  CHECK(redis_error_of([&] { emitter_for("redis://127.0.0.1:" + port).emit_sync("e"); }) == sio::errc::auth);
  // ACL: the notifier may not publish outside its channels; the reader may not publish at all.
  try {
    emitter_for("redis://notifier:pw@127.0.0.1:" + port, "elsewhere").emit_sync("e");
    FAIL("expected an auth_error");
  } catch (const sio::auth_error& e) {
    CHECK(std::string(e.what()).find("NOPERM") != std::string::npos);
    CHECK(std::string(e.what()).find("PUBLISH elsewhere#/#") != std::string::npos);
    // Redis names neither the user nor the channel pattern: the message says which permission to grant.
    CHECK(std::string(e.what()).ends_with(
        "(the ACL user \"notifier\" may not use this channel: ACL SETUSER notifier &elsewhere*)"));
  }
  try {
    emitter_for("redis://reader:pw@127.0.0.1:" + port).emit_sync("e");
    FAIL("expected an auth_error");
  } catch (const sio::auth_error& e) {
    CHECK(std::string(e.what()).find("NOPERM") != std::string::npos);
    CHECK(std::string(e.what()).ends_with("(the ACL user \"reader\" lacks +publish: ACL SETUSER reader +publish)"));
  }
  // Credentials: an unknown user and a wrong password name the user, never the password.
  const auto refused = [&](const std::string& url) {
    try {
      emitter_for(url).emit_sync("e");
    } catch (const sio::auth_error& e) {
      return std::string(e.what());
    }
    return std::string("(no auth_error)");
  };
  CHECK(refused("redis://nobody:pw@127.0.0.1:" + port) ==
        "Redis at redis://127.0.0.1:" + port + "/0 refused AUTH as user \"nobody\": WRONGPASS invalid username-password "
        "pair or user is disabled.");
  CHECK(refused("redis://notifier:hunter2@127.0.0.1:" + port).find("hunter2") == std::string::npos);
}

TEST_CASE("emitter: Redis unreachable is a connection_error, connect() fails fast") {
  const auto io = emitter_for("redis://127.0.0.1:" + std::to_string(sio::test::free_loopback_port()));
  CHECK(redis_error_of([&] { io.emit_sync("e"); }) == sio::errc::connection);
  CHECK(redis_error_of([&] { io.connect(); }) == sio::errc::connection);
  // Dry run never connects.
  sio::Emitter dry{sio::Options{.redis_url = "redis://127.0.0.1:1", .dry_run = true}};
  CHECK_NOTHROW(dry.connect());
  CHECK_FALSE(dry.emit_sync("e").receivers.has_value());
}

TEST_CASE("emitter: after Redis drops the connection, the failure is reported and the next call reconnects") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io#*"});
  const auto io = emitter_for(redis.url());
  CHECK(io.emit_sync("before").receivers == 1);
  CHECK(server.next_message(2s).has_value());

  // Kill every normal client connection: the emitter's (the subscriber is a pubsub client and survives).
  CHECK(redis.command({"CLIENT", "KILL", "TYPE", "normal"}) != "0");
  // The first call on the dead connection may fail (reported, never silent) or, if the kernel has not seen the
  // close yet, fail on its read; either way it is not reported as success unless Redis really received it.
  std::optional<long long> during;
  try {
    during = io.emit_sync("during").receivers;
  } catch (const sio::connection_error& e) {
    CHECK(std::string(e.what()).find("lost the connection to Redis") != std::string::npos);
  }
  if (during) {
    CHECK(*during == 1);
    CHECK(server.next_message(2s).has_value());
  }
  CHECK(io.emit_sync("after").receivers == 1);
  const auto message = server.next_message(2s);
  REQUIRE(message.has_value());
  CHECK(sio::msgpack_to_json(message->payload).find(R"("data":["after"])") != std::string::npos);
}

TEST_CASE("emitter: many threads on one Emitter, every message arrives once and intact") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  const auto io = emitter_for(redis.url());
  constexpr int threads = 4;
  constexpr int per_thread = 250;
  std::atomic<int> receivers{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const auto room = io.to("user:" + std::to_string(t));  // operators are shared-nothing values
      for (int i = 0; i < per_thread; ++i)
        receivers += static_cast<int>(room.emit_sync("n", t, i).receivers.value_or(0));
    });
  }
  for (auto& w : workers) w.join();
  CHECK(receivers == threads * per_thread);

  std::set<std::string> seen;
  for (int n = 0; n < threads * per_thread; ++n) {
    const auto message = server.next_message(2s);
    REQUIRE(message.has_value());
    seen.insert(message->channel + sio::msgpack_to_json(message->payload));
  }
  CHECK(seen.size() == threads * per_thread);
  CHECK(seen.count(R"(socket.io#/#user:3#["emitter",{"type":2,"data":["n",3,249],"nsp":"/"},{"rooms":["user:3"],"flags":{},"except":[]}])") == 1);
  CHECK_FALSE(server.next_message(100ms).has_value());
}
