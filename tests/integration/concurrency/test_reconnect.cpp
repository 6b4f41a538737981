// Redis faults against real redis-server processes the tests start, kill and restart: queued emits ride out an
// outage in the bounded buffer while the emitter reconnects with backoff, and every emit ends acknowledged or
// reported failed. In the concurrency executable, so CI also runs it under ThreadSanitizer.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_server.hpp"
#include "support/subscriber.hpp"
#include "support/test_values.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

using sio::test::error_message_of;

sio::Options fault_options(int port) {
  sio::Options options;
  options.redis_url = "redis://127.0.0.1:" + std::to_string(port);
  options.connect_timeout = 1000ms;
  options.command_timeout = 1000ms;
  options.reconnect_delay = 20ms;
  options.max_reconnect_delay = 200ms;
  return options;
}

// A port that had a redis-server a moment ago and has none now.
int vacated_port() {
  sio::test::redis_server probe;
  const int port = probe.port();
  probe.stop();
  return port;
}

int options_port(const sio::Options& options) { return std::stoi(options.redis_url.substr(options.redis_url.rfind(':') + 1)); }

sio::test::redis_server_options on_port(int port) {
  sio::test::redis_server_options options;
  options.port = port;
  return options;
}

// The event's first argument of a broadcast ["emitter", {data: ["n", i], ...}, opts]: which emit it was.
long index_of(const std::string& payload) {
  const auto message = sio::json(sio::msgpack_to_json(payload));
  const auto& packet = message.as_array().at(1);
  for (const auto& [key, v] : packet.as_object())
    if (key == "data") return static_cast<long>(v.as_array().at(1).as_number());
  return -1;
}

// Every emit's outcome, by index, filled by completions on the I/O thread.
struct outcomes {
  explicit outcomes(std::size_t n) : receivers(n, -2), failed(n, 0) {}
  std::mutex mutex;
  std::vector<long long> receivers;  // -2: no outcome yet; else Redis' PUBLISH reply
  std::vector<int> failed;           // completions reporting a failure
  std::atomic<std::size_t> ended{0};
  std::atomic<std::size_t> twice{0};

  sio::Completion for_index(long i) {
    return [this, i](const sio::Outcome& o) {
      std::lock_guard lock(mutex);
      const auto at = static_cast<std::size_t>(i);
      if (receivers[at] != -2 || failed[at] != 0) ++twice;
      if (o.ok())
        receivers[at] = o.receivers;
      else
        ++failed[at];
      ++ended;
    };
  }
};

}  // namespace

TEST_CASE("reconnect: Redis down at start: emits wait in the buffer, flush names the cause, all arrive once it is up") {
  const int port = vacated_port();
  const sio::Emitter io{fault_options(port)};
  for (int i = 0; i < 100; ++i) io.to("user:1").emit("n", i);  // buffered: no throw
  CHECK(io.stats().in_flight == 100);
  const auto flushed = error_message_of([&] { io.flush(300ms); });
  CHECK(flushed.find("flush: 100 command(s) to Redis at redis://127.0.0.1:" + std::to_string(port) +
                     "/0 still unanswered after 300 ms (Redis has been unreachable for ") == 0);
  CHECK(flushed.find("cannot connect to Redis at") != std::string::npos);
  // Waiting calls do not buffer: they fail at once.
  CHECK_THROWS_AS(io.to("user:1").emit_sync("n", -1), sio::connection_error);

  sio::test::redis_server redis(on_port(port));
  sio::test::subscriber server(redis, {"socket.io#/#*"});
  io.flush(10s);
  // The subscriber came after the reconnect may have sent them: count what Redis acknowledged instead.
  const auto stats = io.stats();
  CHECK(stats.acknowledged == 100);
  CHECK(stats.failed == 0);
  CHECK(stats.in_flight == 0);
  io.to("user:1").emit("n", 100);
  io.flush(10s);
  // The subscriber sees the end of the buffered run (whatever was sent after it subscribed), in order, then 100.
  std::vector<long> seen;
  while (const auto message = server.next_message(500ms)) seen.push_back(index_of(message->payload));
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == 100);
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] == seen[i - 1] + 1);
}

TEST_CASE("reconnect: a full buffer refuses new emits (fail_new) or drops and reports the oldest (drop_oldest)") {
  const int port = vacated_port();
  {
    auto options = fault_options(port);
    options.max_buffered_messages = 10;
    const sio::Emitter io{options};
    for (int i = 0; i < 10; ++i) io.to("user:1").emit("n", i);
    const auto refused = error_message_of([&] { io.to("user:1").emit("n", 10); });
    CHECK(refused.find("is unreachable") != std::string::npos);
    CHECK(refused.find("and the buffer is full (10 messages") != std::string::npos);
    CHECK(io.stats().queued == 10);
  }
  {
    auto options = fault_options(port);
    options.max_buffered_messages = 10;
    options.overflow = sio::Options::overflow_policy::drop_oldest;
    const sio::Emitter io{options};
    outcomes results(15);
    for (int i = 0; i < 15; ++i) {
      const std::array<sio::value, 1> args{sio::value(i)};
      io.to("user:1").emit_args("n", args, results.for_index(i));
    }
    CHECK(results.ended == 5);  // the 5 oldest, dropped and reported
    for (int i = 0; i < 5; ++i) CHECK(results.failed[static_cast<std::size_t>(i)] == 1);

    sio::test::redis_server redis(on_port(port));
    io.flush(10s);
    CHECK(results.ended == 15);
    for (int i = 5; i < 15; ++i) CHECK(results.receivers[static_cast<std::size_t>(i)] >= 0);
    CHECK(results.twice == 0);
  }
}

TEST_CASE("reconnect: Redis killed and restarted during 100k emits: each ends once, received + failed add up") {
  constexpr long total = 100000;
  auto first = std::make_unique<sio::test::redis_server>();
  const int port = first->port();
  std::mutex server_mutex;
  sio::test::redis_server* current = first.get();
  std::unique_ptr<sio::test::redis_server> second;

  // A subscriber that resubscribes to whichever server is up, counting what it receives per index.
  std::vector<int> received(total, 0);
  std::atomic<bool> done{false};
  std::atomic<int> subscriptions{0};
  std::atomic<long> messages_seen{0};
  std::thread listener([&] {
    while (!done) {
      sio::test::redis_server* server = nullptr;
      {
        std::lock_guard lock(server_mutex);
        server = current;
      }
      try {
        sio::test::subscriber sub(*server, {"socket.io#/#*"});
        ++subscriptions;
        while (!done) {
          const auto message = sub.next_message(50ms);
          if (!message) continue;
          ++received[static_cast<std::size_t>(index_of(message->payload))];
          ++messages_seen;
        }
      } catch (const std::runtime_error&) {
        std::this_thread::sleep_for(5ms);  // connection refused or lost: try again
      }
    }
  });
  while (subscriptions == 0) std::this_thread::sleep_for(5ms);

  auto options = fault_options(port);
  options.max_buffered_messages = total;
  options.command_timeout = 5000ms;  // the buffered burst after the restart may take a loaded machine a while
  const sio::Emitter io{options};
  outcomes results(total);
  std::thread producer([&] {
    for (long i = 0; i < total; ++i) {
      const std::array<sio::value, 1> args{sio::value(i)};
      io.to("user:1").emit_args("n", args, results.for_index(i));
      if (i % 100 == 99) std::this_thread::sleep_for(1ms);  // about 2 s in all, so the outage falls in the middle
    }
  });
  std::this_thread::sleep_for(500ms);
  first->kill();
  std::this_thread::sleep_for(300ms);
  second = std::make_unique<sio::test::redis_server>(on_port(port));
  {
    std::lock_guard lock(server_mutex);
    current = second.get();
  }
  producer.join();
  io.flush(30s);
  // The subscriber's last messages: until it has seen nothing new for 500 ms.
  for (long before = -1; before != messages_seen;) {
    before = messages_seen;
    std::this_thread::sleep_for(500ms);
  }
  done = true;
  listener.join();

  long acknowledged_received = 0, acknowledged_nobody = 0, failed = 0, failed_but_received = 0, lost = 0,
       duplicated = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(total); ++i) {
    if (received[i] > 1) ++duplicated;
    if (results.failed[i] != 0) {
      ++failed;
      if (received[i] != 0) ++failed_but_received;  // sent before the kill; Redis ran it, its reply died with it
    } else if (results.receivers[i] >= 1) {
      ++acknowledged_received;
      // Acknowledged by Redis for one subscriber, yet not received: Redis wrote the reply but was killed before
      // the subscriber's copy left it (a crash can split the two). Only around the kill, so only a handful.
      if (received[i] != 1) ++lost;
    } else {
      ++acknowledged_nobody;  // published while the subscriber was resubscribing: Redis said 0 receivers
    }
  }
  std::printf("fault test: emitted %ld, received %ld (+%ld of those reported failed), reported failed %ld, "
              "acknowledged with 0 receivers %ld, acknowledged but lost in the crash %ld, reconnects %llu\n",
              total, acknowledged_received - lost, failed_but_received, failed, acknowledged_nobody, lost,
              static_cast<unsigned long long>(io.stats().reconnects));
  CHECK(results.ended == static_cast<std::size_t>(total));  // every emit ended
  CHECK(results.twice == 0);                                // exactly once
  CHECK(acknowledged_received + acknowledged_nobody + failed == total);
  CHECK(lost <= 10);
  CHECK(duplicated == 0);  // nothing sent twice
  CHECK(io.stats().reconnects >= 1);
  CHECK(failed < total / 2);  // only what was in flight at the kill fails; the rest waited in the buffer
}

TEST_CASE("reconnect: a stalled Redis (DEBUG SLEEP) times out what is in flight, then the emitter carries on") {
  sio::test::redis_server_options debug;
  debug.extra_args = {"--enable-debug-command", "yes"};
  sio::test::redis_server redis(debug);
  auto options = fault_options(redis.port());
  options.command_timeout = 300ms;
  const sio::Emitter io{options};
  io.to("user:1").emit_sync("n", 0);  // connected

  std::thread sleeper([&] { redis.command({"DEBUG", "SLEEP", "1.5"}); });
  std::this_thread::sleep_for(100ms);
  outcomes results(2);
  const std::array<sio::value, 1> args{sio::value(1)};
  const auto started = clock_type::now();
  io.to("user:1").emit_args("n", args, results.for_index(0));
  while (results.ended == 0 && clock_type::now() - started < 5s) std::this_thread::sleep_for(5ms);
  const auto waited = clock_type::now() - started;
  CHECK(results.failed[0] == 1);  // no reply within the command timeout: reported, not hung
  CHECK(waited >= 250ms);
  CHECK(waited < 1400ms);
  sleeper.join();

  // Redis is back: the emitter reconnected (or reconnects now) and publishes again.
  const std::array<sio::value, 1> again{sio::value(2)};
  io.to("user:1").emit_args("n", again, results.for_index(1));
  io.flush(5s);
  CHECK(results.receivers[1] >= 0);
  CHECK(io.stats().reconnects >= 1);
}

TEST_CASE("reconnect: a waiting call caught behind buffered emits fails when Redis dies, not when it returns") {
  auto redis = std::make_unique<sio::test::redis_server>();
  auto options = fault_options(redis->port());
  options.command_timeout = 5000ms;
  const sio::Emitter io{options};
  io.to("user:1").emit_sync("n", 0);  // connected
  // Stopped, Redis reads nothing: once the socket buffers are full, the emits and the waiting call stay unsent.
  ::kill(redis->pid(), SIGSTOP);
  const std::string kilobyte(1024, 'x');
  for (int i = 0; i < 20000; ++i) io.to("user:1").emit("n", i, kilobyte);
  std::atomic<bool> returned{false};
  std::string error;
  std::thread waiting([&] {
    error = error_message_of([&] { io.to("user:1").emit_sync("n", -1); });
    returned = true;
  });
  std::this_thread::sleep_for(200ms);
  redis->kill();  // and it stays down
  const auto started = clock_type::now();
  while (!returned && clock_type::now() - started < 3s) std::this_thread::sleep_for(5ms);
  CHECK(returned);  // failed with the connection, not parked until Redis returns
  std::unique_ptr<sio::test::redis_server> back;
  if (!returned) back = std::make_unique<sio::test::redis_server>(on_port(options_port(options)));  // to end it
  waiting.join();
  INFO("the waiting call's error: ", error);
  CHECK(error != "(no exception)");  // lost while written, or refused while reconnecting: an error either way
}
