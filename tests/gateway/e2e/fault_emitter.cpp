// The publisher of the Redis fault suite (redis-fault.test.mjs): emits N paced notifications through the public
// C++ API (sio/emitter.hpp), io.to(ROOM).emit("notification", {"seq": i}), each with its own sio::Completion, and
// reports how every one of them ended.
//
//   sio-e2e-fault-emitter --redis redis://127.0.0.1:PORT [--count 100000] [--duration-ms 3500] [--room user:42]
//                         [--outcomes FILE]
//
// stdout: {"started":true} once connected, right before the first emit (the test times the Redis kill from it),
// then one summary line {"emitted":N,"acknowledged_receivers_gt0":..,"acknowledged_zero":..,"failed":..,
// "refused":..,"unfinished":..,"twice":..,"reconnects":..,"emit_ms":..,"total_ms":..}. --outcomes writes one
// character per seq: 'A' acknowledged with >0 receivers, 'Z' acknowledged with 0, 'F' reported failed by its
// Completion, 'R' refused by emit() (it threw: reported at once), '?' no outcome. Exit 0 unless the program
// itself failed (usage, no first connection): the counts are for the test to judge.
#include <sio/emitter.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

struct outcomes {
  explicit outcomes(std::size_t n) : code(n, '?') {}
  std::mutex mutex;
  std::string code;
  std::atomic<std::size_t> ended{0};
  std::atomic<std::size_t> twice{0};

  sio::Completion for_seq(std::size_t i) {
    return [this, i](const sio::Outcome& o) {
      {
        std::lock_guard lock(mutex);
        if (code[i] != '?') {
          ++twice;
          return;
        }
        code[i] = !o.ok() ? 'F' : (o.receivers > 0 ? 'A' : 'Z');
      }
      ++ended;
    };
  }
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "sio-e2e-fault-emitter: %s\nusage: sio-e2e-fault-emitter --redis URL [--count N] "
                       "[--duration-ms MS] [--room ROOM] [--outcomes FILE]\n", why);
  std::exit(2);
}

long long ms_since(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string redis, room = "user:42", outcomes_path;
  std::size_t count = 100000;
  long duration_ms = 3500;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) usage("missing value");
    const char* v = argv[++i];
    if (a == "--redis") redis = v;
    else if (a == "--count") count = std::strtoul(v, nullptr, 10);
    else if (a == "--duration-ms") duration_ms = std::strtol(v, nullptr, 10);
    else if (a == "--room") room = v;
    else if (a == "--outcomes") outcomes_path = v;
    else usage("unknown option");
  }
  if (redis.empty() || count == 0 || duration_ms < 0) usage("--redis is required, --count > 0");

  sio::Options options;
  options.redis_url = redis;
  options.connect_timeout = 1000ms;
  options.command_timeout = 5000ms;  // the buffered burst after the restart may take a loaded machine a while
  options.reconnect_delay = 20ms;
  options.max_reconnect_delay = 200ms;
  options.max_buffered_messages = count;  // the whole run fits: only what was in flight at the kill may fail

  const steady::time_point began = steady::now();
  outcomes results(count);
  std::size_t refused = 0;
  sio::Stats stats;
  long long emit_ms = 0;
  {
    const sio::Emitter io{options};
    try {
      io.to("e2e:nobody").emit_sync("warmup");  // connected before the clock starts; a room nobody is in
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sio-e2e-fault-emitter: first connection: %s\n", e.what());
      return 1;
    }
    const auto target = io.to(room);
    std::printf("{\"started\":true}\n");
    std::fflush(stdout);
    const steady::time_point start = steady::now();
    const auto step = std::chrono::duration<double, std::milli>(static_cast<double>(duration_ms) /
                                                                static_cast<double>(count));
    for (std::size_t i = 0; i < count; ++i) {
      // Paced by an absolute schedule: a slow machine (ASan) only sleeps less, the run never stretches.
      if (i % 64 == 0) {
        const auto due = start + std::chrono::duration_cast<steady::duration>(step * static_cast<double>(i));
        if (due > steady::now()) std::this_thread::sleep_until(due);
      }
      const std::array<sio::value, 1> args{
          sio::value::object({{"seq", sio::value(static_cast<std::int64_t>(i))}})};
      try {
        target.emit_args("notification", args, results.for_seq(i));
      } catch (const std::exception&) {
        std::lock_guard lock(results.mutex);
        results.code[i] = 'R';
        ++refused;
      }
    }
    emit_ms = ms_since(start);
    try {
      io.flush(30s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sio-e2e-fault-emitter: flush: %s\n", e.what());
    }
    // Completions run on the I/O thread: wait (bounded) until every queued emit has reported.
    const auto deadline = steady::now() + 10s;
    while (results.ended + refused < count && steady::now() < deadline) std::this_thread::sleep_for(5ms);
    stats = io.stats();
  }

  std::size_t acknowledged = 0, zero = 0, failed = 0, unfinished = 0;
  std::string codes;
  {
    std::lock_guard lock(results.mutex);
    codes = results.code;
  }
  for (const char c : codes) {
    if (c == 'A') ++acknowledged;
    else if (c == 'Z') ++zero;
    else if (c == 'F') ++failed;
    else if (c == '?') ++unfinished;
  }
  if (!outcomes_path.empty()) {
    std::FILE* f = std::fopen(outcomes_path.c_str(), "wb");
    if (!f || std::fwrite(codes.data(), 1, codes.size(), f) != codes.size() || std::fclose(f) != 0) {
      std::fprintf(stderr, "sio-e2e-fault-emitter: cannot write %s\n", outcomes_path.c_str());
      return 1;
    }
  }
  std::printf("{\"emitted\":%zu,\"acknowledged_receivers_gt0\":%zu,\"acknowledged_zero\":%zu,\"failed\":%zu,"
              "\"refused\":%zu,\"unfinished\":%zu,\"twice\":%zu,\"reconnects\":%llu,\"emit_ms\":%lld,"
              "\"total_ms\":%lld}\n",
              count, acknowledged, zero, failed, refused, unfinished, results.twice.load(),
              static_cast<unsigned long long>(stats.reconnects), emit_ms, ms_since(began));
  std::fflush(stdout);
  return 0;
}
