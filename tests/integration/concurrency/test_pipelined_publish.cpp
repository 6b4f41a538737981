// The pipelined publish path against a real redis-server: many threads on one Emitter, every emit ending exactly
// once (acknowledged or reported), order kept, flush() and completions reporting failures, and emit() never
// waiting for Redis. Built as its own executable so CI also runs it under ThreadSanitizer (the tsan preset).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_server.hpp"
#include "support/subscriber.hpp"
#include "support/test_values.hpp"

using namespace std::chrono_literals;

namespace {

using sio::test::error_message_of;

sio::Options options_for(const std::string& url, std::chrono::milliseconds command_timeout = 5000ms) {
  return sio::Options{.redis_url = url, .connect_timeout = 2000ms, .command_timeout = command_timeout};
}

// What emit_sync would publish for the same call, encoded without Redis: the bytes every message must have.
std::string expected_payload(const std::string& room, int thread, int i) {
  static const sio::Emitter dry{sio::Options{.dry_run = true}};
  return dry.to(room).emit_sync("n", thread, i).payload;
}

}  // namespace

TEST_CASE("pipelined: 4 threads x 5000 emits on one Emitter arrive exactly once, byte-identical, in order") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  const sio::Emitter io{options_for(redis.url())};
  constexpr int threads = 4;
  constexpr int per_thread = 5000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&io, t] {
      const auto room = io.to("user:" + std::to_string(t));
      for (int i = 0; i < per_thread; ++i) room.emit("n", t, i);
    });
  }
  for (auto& w : workers) w.join();
  io.flush(20s);
  const auto stats = io.stats();
  CHECK(stats.queued == threads * per_thread);
  CHECK(stats.acknowledged == threads * per_thread);
  CHECK(stats.failed == 0);
  CHECK(stats.in_flight == 0);

  // Each thread's messages arrive in the order it emitted them, each exactly as emit_sync would encode it.
  std::map<std::string, int> next_index;
  int mismatches = 0;
  for (int n = 0; n < threads * per_thread; ++n) {
    const auto message = server.next_message(5s);
    REQUIRE(message.has_value());
    const auto room = message->channel.substr(std::string("socket.io#/#").size(),
                                              message->channel.size() - std::string("socket.io#/#").size() - 1);
    const int t = room.back() - '0';
    const int i = next_index[room]++;
    if (message->payload != expected_payload(room, t, i)) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(next_index.size() == threads);
  for (const auto& [room, count] : next_index) CHECK(count == per_thread);
  CHECK_FALSE(server.next_message(100ms).has_value());
}

TEST_CASE("pipelined: emit returns while Redis is paused, flush times out, then succeeds once Redis resumes") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  const sio::Emitter io{options_for(redis.url())};
  io.connect();
  CHECK(redis.command({"CLIENT", "PAUSE", "1500", "ALL"}) == "OK");
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) io.to("user:1").emit("n", 0, i);
  // Queued, not waited for: far less than the pause (a round trip each would take the whole pause).
  CHECK(std::chrono::steady_clock::now() - started < 750ms);
  const auto timeout = error_message_of([&] { io.flush(100ms); });
  CHECK(timeout == "flush: 100 command(s) to Redis at " + redis.url() + "/0 still unanswered after 100 ms");
  io.flush(5s);
  CHECK(io.stats().acknowledged == 100);
  for (int i = 0; i < 100; ++i) {
    const auto message = server.next_message(2s);
    REQUIRE(message.has_value());
    CHECK(message->payload == expected_payload("user:1", 0, i));
  }
  CHECK_FALSE(server.next_message(100ms).has_value());
}

TEST_CASE("pipelined: Redis stopped with publishes in flight: flush reports every one, the counts add up") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  auto options = options_for(redis.url());
  options.max_buffered_messages = 0;  // no buffering: the last emit below then fails at the call (test_reconnect.cpp)
  const sio::Emitter io{options};
  for (int i = 0; i < 1000; ++i) io.to("user:1").emit("before", i);
  io.flush(10s);
  // Paused, Redis reads nothing more; stopped, it never will: the next 1000 are in flight when the connection dies.
  CHECK(redis.command({"CLIENT", "PAUSE", "10000", "ALL"}) == "OK");
  for (int i = 0; i < 1000; ++i) io.to("user:1").emit("during", i);
  redis.stop();
  try {
    io.flush(10s);
    FAIL("flush succeeded although Redis stopped with 1000 publishes in flight");
  } catch (const sio::connection_error& e) {
    CHECK(std::string(e.what()).starts_with("1000 publishes failed since the last flush; the first: lost the "
                                            "connection to Redis at " + redis.url() + "/0"));
  }
  const auto stats = io.stats();
  CHECK(stats.queued == 2000);
  CHECK(stats.acknowledged == 1000);
  CHECK(stats.failed == 1000);
  CHECK(stats.acknowledged + stats.failed == stats.queued);
  io.flush(1s);  // reported once: nothing new failed since

  // With Redis gone, an emit fails at the call (it cannot connect) and queues nothing.
  CHECK_THROWS_AS(io.to("user:1").emit("after"), sio::redis_error);
  CHECK(io.stats().queued == 2000);

  // The subscriber's connection ends with Redis: count what it got before that.
  int received = 0;
  try {
    while (server.next_message(200ms)) ++received;
  } catch (const std::runtime_error&) {
  }
  CHECK(received == 1000);  // the "before" ones; the paused ones never reached a subscriber
}

TEST_CASE("pipelined: completions get each outcome once, an error reply fails that emit only, not its neighbours") {
  sio::test::redis_server redis;
  // An ACL user that may publish to user:1's channel only: PUBLISH to user:2 gets a NOPERM error reply.
  CHECK(redis.command({"ACL", "SETUSER", "limited", "on", ">pw", "resetchannels", "&socket.io#/#user:1#",
                       "+publish"}) == "OK");
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  auto options = options_for(redis.url());
  options.username = "limited";
  options.password = "pw";
  const sio::Emitter io{options};

  std::mutex mutex;
  std::map<int, sio::Outcome> outcomes;
  std::atomic<int> calls{0};
  for (int i = 0; i < 200; ++i) {
    const std::array<sio::value, 1> args{sio::value(i)};
    io.to(i % 2 == 0 ? "user:1" : "user:2").emit_args("n", args, [&, i](const sio::Outcome& outcome) {
      ++calls;
      std::lock_guard lock(mutex);
      CHECK(outcomes.emplace(i, outcome).second);  // once per emit
    });
  }
  io.flush(10s);  // the failures went to their completions: nothing for flush to report
  CHECK(calls == 200);
  for (const auto& [i, outcome] : outcomes) {
    if (i % 2 == 0) {
      CHECK(outcome.ok());
      CHECK(outcome.receivers == 1);
    } else {
      CHECK(outcome.code == sio::errc::auth);
      CHECK(outcome.message.starts_with("PUBLISH failed: NOPERM"));
    }
  }
  int received = 0;
  while (server.next_message(200ms)) ++received;
  CHECK(received == 100);

  // Without a completion the same refusal is kept for flush, with its code.
  io.to("user:2").emit("n", 1);
  io.to("user:1").emit("n", 2);
  CHECK_THROWS_AS(io.flush(5s), sio::auth_error);
  CHECK(io.stats().failed == 101);
}

TEST_CASE("pipelined: queued and waiting calls reach Redis in the order they were made") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io*"});
  const sio::Emitter io{options_for(redis.url())};
  for (int round = 0; round < 50; ++round) {
    io.to("user:1").emit("queued", round);
    CHECK(io.to("user:1").emit_sync("waited", round).receivers == 1);
    io.to("user:1").socketsJoin("vip");
    io.emit("queued-all", round);
  }
  io.flush(5s);
  for (int round = 0; round < 50; ++round) {
    for (const char* expected : {R"("data":["queued",)", R"("data":["waited",)", R"("type":2,"opts")",
                                 R"("data":["queued-all",)"}) {
      const auto message = server.next_message(2s);
      REQUIRE(message.has_value());
      const auto text = message->payload.starts_with("{") ? message->payload : sio::msgpack_to_json(message->payload);
      CHECK_MESSAGE(text.find(expected) != std::string::npos, "round ", round, ": ", text);
    }
  }
}

TEST_CASE("pipelined: destroying the last Emitter handle waits for what is queued") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  {
    const sio::Emitter io{options_for(redis.url())};
    for (int i = 0; i < 5000; ++i) io.to("user:1").emit("n", i);
  }
  int received = 0;
  while (server.next_message(500ms)) ++received;
  CHECK(received == 5000);
}
