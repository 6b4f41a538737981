// sio-bench-publish: publishing throughput of the public API on one Emitter.
//
//   sio-bench-publish [--redis URL] [--count N (200000)] [--threads T (1)] [--rooms R (1000)]
//                     [--timeout SECONDS (120)]
//
// Emits N notifications, split in T contiguous blocks over T threads sharing ONE Emitter, each shaped as
//   io.to("user:<i % R>").emit("notification", {"type":"ORDER_UPDATED","payload":{"orderId":i},"timestamp":<ms>})
// then flush()es: the time includes Redis acknowledging every publish. The R room names are built before the
// clock starts (a caller has its user ids at hand); the value is built per message, because its orderId changes
// per message and a real caller builds it too. The connection is opened before the clock starts.
//
// Prints one JSON object: {"count","threads","rooms","seconds","per_second","queue_seconds","failed",
// "acknowledged","payload_bytes","channel"}. payload_bytes and channel are those of message N-1 (the widest
// room and orderId of the run), encoded by a dry-run Emitter, so that redis-benchmark can publish the same size
// on a channel of the same length. Exit 0 when every publish was acknowledged, 1 otherwise, 2 on usage errors.
#include <sio/emitter.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <latch>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::int64_t kTimestamp = 1764336000000;  // fixed: 2025-11-28T13:20:00Z

struct arguments {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::uint64_t count = 200000;
  unsigned threads = 1;
  std::uint64_t rooms = 1000;
  double timeout_seconds = 120;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "sio-bench-publish: %s\nusage: sio-bench-publish [--redis URL] [--count N] [--threads T] "
               "[--rooms R] [--timeout SECONDS]\n",
               why.c_str());
  std::exit(2);
}

std::uint64_t parse_count(std::string_view name, const char* text, std::uint64_t max) {
  char* end = nullptr;
  const auto n = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || n == 0 || n > max)
    usage(std::string(name) + " wants a whole number from 1 to " + std::to_string(max));
  return n;
}

arguments parse(int argc, char** argv) {
  arguments args;
  if (const char* env = std::getenv("REDIS_URL")) args.redis_url = env;
  for (int k = 1; k < argc; ++k) {
    const std::string_view flag = argv[k];
    if (flag == "-h" || flag == "--help") usage("throughput of one Emitter");
    if (k + 1 >= argc) usage(std::string(flag) + " wants a value");
    const char* v = argv[++k];
    if (flag == "--redis") {
      args.redis_url = v;
    } else if (flag == "--count") {
      args.count = parse_count(flag, v, 100'000'000);
    } else if (flag == "--threads") {
      args.threads = static_cast<unsigned>(parse_count(flag, v, 256));
    } else if (flag == "--rooms") {
      args.rooms = parse_count(flag, v, 1'000'000);
    } else if (flag == "--timeout") {
      args.timeout_seconds = static_cast<double>(parse_count(flag, v, 3600));
    } else {
      usage("unknown option " + std::string(flag));
    }
  }
  if (args.threads > args.count) usage("--threads must not exceed --count");
  return args;
}

sio::value notification(std::uint64_t i) {
  return sio::value::object({{"type", "ORDER_UPDATED"},
                             {"payload", sio::value::object({{"orderId", i}})},
                             {"timestamp", kTimestamp}});
}

std::string json_string(std::string_view s) {  // channel names here are plain ASCII
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse(argc, argv);
  try {
    std::vector<std::string> rooms;
    rooms.reserve(args.rooms);
    for (std::uint64_t n = 0; n < args.rooms; ++n) rooms.push_back("user:" + std::to_string(n));

    // The size of what is published, from the encoder itself (no Redis involved).
    const sio::Emitter dry{sio::Options{.dry_run = true}};
    const auto last = args.count - 1;
    const auto sample = dry.to(rooms[last % args.rooms]).emit_sync("notification", notification(last));

    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(args.timeout_seconds * 1000));
    const sio::Emitter io{sio::Options{.redis_url = args.redis_url, .command_timeout = timeout}};
    io.connect();

    std::latch start(1);
    std::vector<std::thread> workers;
    workers.reserve(args.threads);
    for (unsigned t = 0; t < args.threads; ++t) {
      const auto begin = args.count * t / args.threads;
      const auto end = args.count * (t + 1) / args.threads;
      workers.emplace_back([&, begin, end] {
        start.wait();
        for (auto i = begin; i < end; ++i) io.to(rooms[i % args.rooms]).emit("notification", notification(i));
      });
    }
    const auto t0 = clock_type::now();
    start.count_down();
    for (auto& w : workers) w.join();
    const auto t_queued = clock_type::now();
    std::string failure;
    try {
      io.flush(timeout);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    const auto t1 = clock_type::now();
    const auto stats = io.stats();

    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    std::printf(
        "{\"count\":%llu,\"threads\":%u,\"rooms\":%llu,\"seconds\":%.6f,\"per_second\":%.1f,\"queue_seconds\":%.6f,"
        "\"failed\":%llu,\"acknowledged\":%llu,\"payload_bytes\":%zu,\"channel\":%s}\n",
        static_cast<unsigned long long>(args.count), args.threads, static_cast<unsigned long long>(args.rooms),
        seconds, static_cast<double>(args.count) / seconds, std::chrono::duration<double>(t_queued - t0).count(),
        static_cast<unsigned long long>(stats.failed), static_cast<unsigned long long>(stats.acknowledged),
        sample.payload.size(), json_string(sample.channel).c_str());
    if (!failure.empty()) {
      std::fprintf(stderr, "sio-bench-publish: %s\n", failure.c_str());
      return 1;
    }
    return stats.failed == 0 && stats.acknowledged >= args.count ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-bench-publish: %s\n", e.what());
    return 1;
  }
}
