// The pipelined publish path over TLS, from many threads at once: every TLS read and write stays on the I/O thread
// (ThreadSanitizer runs this with the tsan preset), callers only queue, and every emit ends exactly once.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_server.hpp"
#include "support/test_certificates.hpp"

using namespace std::chrono_literals;

TEST_CASE("pipelined over TLS: 4 threads x 5000 emits with completions and emit_sync calls all end acknowledged") {
  const sio::test::test_certificates certificates;
  sio::test::redis_server_options server_options;
  server_options.tls = sio::test::redis_server_options::tls_files{
      certificates.server().cert_file, certificates.server().key_file, certificates.ca_file(), false};
  sio::test::redis_server redis(server_options);
  sio::Options options;
  options.redis_url = redis.tls_url();
  options.connect_timeout = 5000ms;
  options.command_timeout = 10000ms;
  options.tls.ca_file = certificates.ca_file();
  const sio::Emitter io{options};

  constexpr int threads = 4;
  constexpr int per_thread = 5000;
  std::atomic<int> acknowledged{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::array<sio::value, 2> args{sio::value(t), sio::value(i)};
        io.to("user:" + std::to_string(t)).emit_args("n", args, [&](const sio::Outcome& outcome) {
          ++(outcome.code == sio::errc::ok ? acknowledged : failed);
        });
        // A waiting call now and then: the reply comes back through the same TLS session on the I/O thread.
        if (i % 1000 == 0) CHECK(io.to("user:x").emit_sync("sync", t, i).receivers == 0);
      }
    });
  }
  for (auto& producer : producers) producer.join();
  io.flush(60s);
  CHECK(acknowledged == threads * per_thread);
  CHECK(failed == 0);
  CHECK(io.stats().failed == 0);
}
