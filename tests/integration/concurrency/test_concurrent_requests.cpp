// Requests from several threads on one Emitter, against a real redis-server and a scripted server: each request
// gets exactly its own answers (they share the response channel with every other request), while other threads
// keep emitting through the same pipeline. Runs under ThreadSanitizer too (the tsan preset).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_server.hpp"
#include "support/scripted_server.hpp"
#include "support/test_values.hpp"

using namespace std::chrono_literals;

namespace {

using sio::test::member;

// Answers a broadcast with ack with a client count equal to the event's first argument, so each requester can
// tell its own answer from the others'.
sio::test::scripted_server::answers count_from_argument(const std::string& payload) {
  const auto request = sio::json(sio::msgpack_to_json(payload));
  const auto& id = member(request, "requestId").as_string();
  const auto count = member(member(request, "packet"), "data").as_array().at(1).as_number();
  return {{"socket.io-response#/#", R"({"type":8,"requestId":)" + sio::to_json(sio::value(id)) +
                                        R"(,"clientCount":)" + std::to_string(static_cast<int>(count)) + "}"}};
}

}  // namespace

TEST_CASE("concurrent requests: 4 threads x 25 confirmations each get their own count, emits flowing meanwhile") {
  sio::test::redis_server redis;
  sio::test::scripted_server server_a(redis, count_from_argument);
  sio::test::scripted_server server_b(redis, count_from_argument);
  const sio::Emitter io{sio::Options{.redis_url = redis.url(), .request_timeout = 5000ms}};

  std::atomic<int> wrong{0};
  std::atomic<int> partial{0};
  std::atomic<bool> stop{false};
  std::thread emitter_thread([&] {
    while (!stop) io.to("elsewhere").emit("n", 1);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const int mine = t * 100 + i;
        const auto delivery = io.to("user:42").emit_confirmed("n", mine);
        if (delivery.timed_out || delivery.answered != 2) ++partial;
        if (delivery.clients != static_cast<std::size_t>(2 * mine)) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  emitter_thread.join();
  io.flush();
  CHECK(partial == 0);
  CHECK(wrong == 0);
  CHECK(server_a.requests().size() == 100);
  // Nobody but the two servers ever subscribed the request channel.
  for (const auto& numsub : server_a.numsub_at_request()) CHECK(numsub == "socket.io-request#/#\n2");
}
