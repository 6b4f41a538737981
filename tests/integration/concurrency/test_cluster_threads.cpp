// Publishing to a Redis Cluster from many threads while a slot moves: callers route by slot to three node
// pipelines, the router thread resends what MOVED and ASK redirect (ThreadSanitizer runs this with the tsan preset),
// and every emit ends exactly once.
#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_cluster.hpp"

using namespace std::chrono_literals;

TEST_CASE("cluster: 4 threads x 2000 streams emits over 3 masters while a stream's slot moves all end acknowledged") {
  sio::test::redis_cluster cluster(3);
  sio::Options options;
  options.redis_url = "redis+cluster://127.0.0.1:" + std::to_string(cluster.node(0).port());
  options.connect_timeout = 5000ms;
  options.command_timeout = 10000ms;
  options.mode = sio::Options::adapter_mode::streams;
  options.stream_count = 4;  // streams socket.io--3 .. socket.io-3 by namespace: spread over the masters
  const sio::Emitter io{options};

  // The stream of namespace "/" moves while the threads publish to it and to others.
  const auto moving = io.emit_sync("first", 0).channel;
  const auto from = cluster.owner_of(moving);
  const auto to = (from + 1) % 3;
  const int slot = std::stoi(cluster.node(0).command({"CLUSTER", "KEYSLOT", moving}));

  constexpr int threads = 4;
  constexpr int per_thread = 2000;
  std::atomic<int> acknowledged{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      const auto nsp = t % 2 == 0 ? io : io.of("/tenant-" + std::to_string(t));
      for (int i = 0; i < per_thread; ++i) {
        const std::array<sio::value, 2> args{sio::value(t), sio::value(i)};
        nsp.to("user:42").emit_args("n", args, [&](const sio::Outcome& outcome) {
          ++(outcome.ok() ? acknowledged : failed);
        });
        if (i % 500 == 0) CHECK_FALSE(nsp.to("user:42").emit_sync("sync", t, i).offset.empty());
        std::this_thread::sleep_for(200us);
      }
    });
  }
  std::this_thread::sleep_for(100ms);
  cluster.move_slot(slot, from, to, {moving}, [] { std::this_thread::sleep_for(100ms); });
  for (auto& producer : producers) producer.join();
  io.flush(60s);
  CHECK(acknowledged == threads * per_thread);
  CHECK(failed == 0);
  CHECK(cluster.owner_of(moving) == to);
  CHECK(cluster.errors_answered(from, "MOVED") + cluster.errors_answered(from, "ASK") > 0);
}
