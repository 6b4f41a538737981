// An order service: several worker threads tell users that their orders changed, all through ONE shared
// sio::Emitter (thread-safe; its single Redis connection is pipelined). Each order uses emit_sync(), which waits
// for Redis' reply, so that a failure can be retried on the spot; a fan-out job would use emit() and flush().
//
//   sio-example-order-service [--redis URL] [--workers N] [--orders M] [--user ID]... [--event NAME]
//
// Worker w (0-based) emits M notifications; its i-th is order number w*M + i + 1, sent to room "user:<id>" with the
// ids of --user taken in turn (default 42):
//   {"type":"ORDER_UPDATED","payload":{"orderId":5,"status":"SHIPPED","worker":1},"timestamp":1764336000000}
// Redis: --redis, else $REDIS_URL, else redis://127.0.0.1:6379.
//
// Bad data (sio::data_error) is the caller's bug: that order is skipped, a retry would fail the same way. Redis
// errors (sio::redis_error) may be transient: retried twice with a short backoff (the emitter reopens its
// connection), then counted as failed. Exit status: 0 all published, 1 any failure, 2 usage.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sio/emitter.hpp>

namespace {

struct Config {
  std::string redis_url = "redis://127.0.0.1:6379";
  int workers = 4;
  int orders = 5;
  std::vector<std::string> users;
  std::string event = "notification";
};

struct Totals {
  std::atomic<long> published{0};
  std::atomic<long long> receivers{0};
  std::atomic<long> data_failures{0};
  std::atomic<long> redis_failures{0};
};

std::mutex log_mutex;  // one whole line at a time from any thread

template <class... Args>
void log_line(std::FILE* out, const char* format, Args... args) {
  const std::lock_guard lock(log_mutex);
  std::fprintf(out, format, args...);
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int positive(std::string_view name, const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 1 || v > 1000) {
    throw std::invalid_argument(std::string(name) + " takes a number from 1 to 1000");
  }
  return static_cast<int>(v);
}

Config parse(int argc, char** argv) {
  Config c;
  if (const char* env = std::getenv("REDIS_URL"); env != nullptr && *env != '\0') c.redis_url = env;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("unknown option or missing value: " + std::string(a));
    const char* v = argv[++i];
    if (a == "--redis") {
      c.redis_url = v;
    } else if (a == "--workers") {
      c.workers = positive(a, v);
    } else if (a == "--orders") {
      c.orders = positive(a, v);
    } else if (a == "--user") {
      c.users.emplace_back(v);
    } else if (a == "--event") {
      c.event = v;
    } else {
      throw std::invalid_argument("unknown option: " + std::string(a));
    }
  }
  if (c.users.empty()) c.users.emplace_back("42");
  return c;
}

// One order update, with the retry policy described above.
void publish_order(const sio::Emitter& io, const Config& c, Totals& totals, int worker, long long order,
                   const std::string& user) {
  const auto room = "user:" + user;
  for (int attempt = 1;; ++attempt) {
    try {
      const auto published = io.to(room).emit_sync(
          c.event, sio::value::object({{"type", "ORDER_UPDATED"},
                                       {"payload", sio::value::object({{"orderId", order},
                                                                       {"status", "SHIPPED"},
                                                                       {"worker", worker}})},
                                       {"timestamp", now_ms()}}));
      totals.published.fetch_add(1);
      totals.receivers.fetch_add(published.receivers.value_or(0));
      return;
    } catch (const sio::data_error& e) {
      log_line(stderr, "order %lld: not sent, bad data (%s): %s\n", order, sio::to_string(e.code()), e.what());
      totals.data_failures.fetch_add(1);
      return;
    } catch (const sio::redis_error& e) {
      if (attempt < 3) {
        log_line(stderr, "order %lld: attempt %d failed (%s), retrying: %s\n", order, attempt,
                 sio::to_string(e.code()), e.what());
        std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
        continue;
      }
      log_line(stderr, "order %lld: not sent after %d attempts (%s): %s\n", order, attempt,
               sio::to_string(e.code()), e.what());
      totals.redis_failures.fetch_add(1);
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* usage = "usage: %s [--redis URL] [--workers N] [--orders M] [--user ID]... [--event NAME]\n";
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::printf(usage, argv[0]);
    std::printf("  --redis URL    Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)\n"
                "  --workers N    worker threads sharing one sio::Emitter, 1 to 1000 (default 4)\n"
                "  --orders M     notifications per worker, 1 to 1000 (default 5)\n"
                "  --user ID      target user, repeatable; orders go to the users in turn (default 42)\n"
                "  --event NAME   event name (default \"notification\")\n"
                "Exit status: 0 all published, 1 any failure, 2 usage.\n");
    return 0;
  }
  Config config;
  try {
    config = parse(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "order-service: %s\n", e.what());
    std::fprintf(stderr, usage, argv[0]);
    return 2;
  }

  Totals totals;
  try {
    // One Emitter for the whole process: it holds one Redis connection and is safe to share between threads.
    const sio::Emitter io{sio::Options{.redis_url = config.redis_url}};
    {
      std::vector<std::jthread> workers;
      workers.reserve(static_cast<std::size_t>(config.workers));
      for (int w = 0; w < config.workers; ++w) {
        workers.emplace_back([&io, &config, &totals, w] {
          for (int i = 0; i < config.orders; ++i) {
            const long long order = static_cast<long long>(w) * config.orders + i + 1;
            const auto& user = config.users[static_cast<std::size_t>(order - 1) % config.users.size()];
            publish_order(io, config, totals, w, order, user);
          }
        });
      }
    }  // the jthreads join here
  } catch (const sio::error& e) {
    // Only the constructor can get here (e.g. a Redis URL that does not parse): no worker ever ran.
    std::fprintf(stderr, "order-service: cannot start (%s): %s\n", sio::to_string(e.code()), e.what());
    return 1;
  }

  const long failures = totals.data_failures.load() + totals.redis_failures.load();
  std::printf("order-service: %ld published, %lld receivers, %ld failures (%ld bad data, %ld Redis)\n",
              totals.published.load(), totals.receivers.load(), failures, totals.data_failures.load(),
              totals.redis_failures.load());
  return failures == 0 ? 0 : 1;
}
