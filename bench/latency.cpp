// sio-bench-latency: publish -> Redis -> subscriber latency of the public API at a steady rate.
//
//   sio-bench-latency [--redis redis://HOST:PORT] [--rate MSGS_PER_S (10000)] [--seconds S (3)]
//                     [--warmup S (0.5)] [--room ROOM (user:42)] [--via sio|hiredis (sio)]
//
// One hiredis connection SUBSCRIBEs (in its own thread) to the exact channel of the room ("socket.io#/#user:42#").
// The main thread publishes, on one Emitter, notifications shaped as
//   io.to(room).emit("notification", {"type":"ORDER_UPDATED","payload":{"orderId":i},"timestamp":<ms>})
// paced by absolute deadlines (start + i / rate, std::this_thread::sleep_until, 1 ns timer slack) so the rate stays
// steady even when one send is late. The send time of message i (steady_clock, taken just before the value is built
// and emit() is called) is kept in memory; the subscriber stamps each message as soon as hiredis hands it over and
// reads i back from the payload's orderId. Latency = receive - send, over the messages after the warm-up.
//
// --via hiredis is the reference for the same machine and Redis: the same bytes (encoded by a dry-run Emitter in
// the loop) written by plain hiredis from the sending thread (replies read when they are there, never waited for),
// so no queue and no hand-off to an I/O thread: what is left is Redis and the machine.
//
// Prints one JSON object: {"via","rate_target","rate_achieved","seconds","sent","received","lost","p50_us","p90_us",
// "p99_us","p999_us","max_us","mean_us"}. Exit 0 when every message arrived, 1 otherwise, 2 on usage errors.
#include <hiredis/hiredis.h>
#include <sio/emitter.hpp>
#include <poll.h>
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::int64_t kTimestamp = 1764336000000;  // fixed: 2025-11-28T13:20:00Z

struct arguments {
  std::string redis_url = "redis://127.0.0.1:6379";
  double rate = 10000;
  double seconds = 3;
  double warmup = 0.5;
  std::string room = "user:42";
  bool via_hiredis = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "sio-bench-latency: %s\nusage: sio-bench-latency [--redis redis://HOST:PORT] [--rate MSGS_PER_S] "
               "[--seconds S] [--warmup S] [--room ROOM] [--via sio|hiredis]\n",
               why.c_str());
  std::exit(2);
}

double parse_number(std::string_view name, const char* text, double min, double max) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= min && v <= max))
    usage(std::string(name) + " wants a number from " + std::to_string(min) + " to " + std::to_string(max));
  return v;
}

arguments parse(int argc, char** argv) {
  arguments args;
  if (const char* env = std::getenv("REDIS_URL")) args.redis_url = env;
  for (int k = 1; k < argc; ++k) {
    const std::string_view flag = argv[k];
    if (flag == "-h" || flag == "--help") usage("publish -> subscriber latency");
    if (k + 1 >= argc) usage(std::string(flag) + " wants a value");
    const char* v = argv[++k];
    if (flag == "--redis") {
      args.redis_url = v;
    } else if (flag == "--rate") {
      args.rate = parse_number(flag, v, 1, 1e6);
    } else if (flag == "--seconds") {
      args.seconds = parse_number(flag, v, 0.1, 600);
    } else if (flag == "--warmup") {
      args.warmup = parse_number(flag, v, 0, 60);
    } else if (flag == "--room") {
      args.room = v;
    } else if (flag == "--via") {
      if (std::string_view(v) != "sio" && std::string_view(v) != "hiredis") usage("--via wants sio or hiredis");
      args.via_hiredis = std::string_view(v) == "hiredis";
    } else {
      usage("unknown option " + std::string(flag));
    }
  }
  return args;
}

// redis://[HOST][:PORT][/DB] only (the subscriber is a bench helper; credentials are not supported).
std::pair<std::string, int> host_port(const std::string& url) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) usage("the subscriber needs a redis://HOST:PORT URL, not " + url);
  std::string rest = url.substr(scheme.size());
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  if (rest.find('@') != std::string::npos) usage("credentials in the URL are not supported here");
  std::string host = rest;
  int port = 6379;
  if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = std::atoi(rest.c_str() + colon + 1);
  }
  if (host.empty()) host = "127.0.0.1";
  return {host, port};
}

sio::value notification(std::uint64_t i) {
  return sio::value::object({{"type", "ORDER_UPDATED"},
                             {"payload", sio::value::object({{"orderId", i}})},
                             {"timestamp", kTimestamp}});
}

// The orderId of a published notification, read back through the JSON view of its msgpack payload.
bool order_id_of(std::string_view payload, std::uint64_t& id) {
  const auto json = sio::msgpack_to_json(payload);
  constexpr std::string_view field = "\"orderId\":";
  const auto at = json.find(field);
  if (at == std::string::npos) return false;
  char* end = nullptr;
  const char* digits = json.c_str() + at + field.size();
  id = std::strtoull(digits, &end, 10);
  return end != digits;
}

struct context_deleter {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
struct reply_deleter {
  void operator()(void* r) const noexcept { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

std::int64_t ns_since(clock_type::time_point origin, clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t - origin).count();
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse(argc, argv);
  try {
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);  // sleep_until wakes within ~µs, not the default 50 µs slack
    const auto [host, port] = host_port(args.redis_url);
    const std::string channel = "socket.io#/#" + args.room + "#";
    const auto warm_count = static_cast<std::uint64_t>(std::llround(args.rate * args.warmup));
    const auto measured_count = static_cast<std::uint64_t>(std::llround(args.rate * args.seconds));
    const auto total = warm_count + measured_count;
    const auto origin = clock_type::now();
    std::vector<std::int64_t> sent_ns(total + 1, -1);
    std::vector<std::int64_t> received_ns(total + 1, -1);

    // The publisher: the library (emit() queues, its I/O thread writes), or the reference: the same bytes (from a
    // dry-run Emitter) written by plain hiredis from this thread.
    const sio::Emitter io{args.via_hiredis ? sio::Options{.dry_run = true} : sio::Options{.redis_url = args.redis_url}};
    io.connect();  // before the subscriber thread starts: nothing below throws while it runs
    std::unique_ptr<redisContext, context_deleter> pub;
    if (args.via_hiredis) {
      pub.reset(redisConnectWithTimeout(host.c_str(), port, timeval{5, 0}));
      if (!pub || pub->err) {
        std::fprintf(stderr, "sio-bench-latency: cannot connect the publisher: %s\n", pub ? pub->errstr : "no memory");
        return 1;
      }
      redisSetTimeout(pub.get(), timeval{10, 0});
    }
    std::uint64_t replies_due = 0;  // hiredis: PUBLISHes written whose reply is not read yet
    const auto read_replies = [&](bool wait) {
      for (std::uint64_t k = 0; replies_due > 0 && k < 1'000'000; ++k) {
        void* raw = nullptr;
        if (redisGetReplyFromReader(pub.get(), &raw) != REDIS_OK)
          throw std::runtime_error(std::string("hiredis: ") + pub->errstr);
        if (raw != nullptr) {
          const reply_ptr reply(static_cast<redisReply*>(raw));
          if (reply->type != REDIS_REPLY_INTEGER) throw std::runtime_error("hiredis PUBLISH: unexpected reply");
          --replies_due;
          continue;
        }
        pollfd ready{pub->fd, POLLIN, 0};
        if (::poll(&ready, 1, wait ? 10000 : 0) <= 0) {
          if (wait) throw std::runtime_error("hiredis: no PUBLISH reply within 10 s");
          return;
        }
        if (redisBufferRead(pub.get()) != REDIS_OK) throw std::runtime_error(std::string("hiredis: ") + pub->errstr);
      }
    };
    const auto publish = [&](std::uint64_t i) {
      if (!args.via_hiredis) return io.to(args.room).emit("notification", notification(i));
      // Written now, from this thread; the replies are read when they are there, without waiting for them.
      const auto message = io.to(args.room).emit_sync("notification", notification(i));
      redisAppendCommand(pub.get(), "PUBLISH %b %b", message.channel.data(), message.channel.size(),
                         message.payload.data(), message.payload.size());
      int done = 0;
      for (int k = 0; !done && k < 1000; ++k)
        if (redisBufferWrite(pub.get(), &done) != REDIS_OK)
          throw std::runtime_error(std::string("hiredis: ") + pub->errstr);
      ++replies_due;
      read_replies(false);
    };
    const auto finish = [&] {
      if (args.via_hiredis)
        read_replies(true);
      else
        io.flush(std::chrono::seconds(10));
    };
    // The subscriber: stops at the sentinel (orderId == total), on an error, or when nothing arrives for 10 s.
    std::unique_ptr<redisContext, context_deleter> sub(redisConnectWithTimeout(host.c_str(), port, timeval{5, 0}));
    if (!sub || sub->err) {
      std::fprintf(stderr, "sio-bench-latency: cannot connect the subscriber to %s:%d: %s\n", host.c_str(), port,
                   sub ? sub->errstr : "out of memory");
      return 1;
    }
    redisSetTimeout(sub.get(), timeval{10, 0});
    {
      reply_ptr ok(static_cast<redisReply*>(redisCommand(sub.get(), "SUBSCRIBE %b", channel.data(), channel.size())));
      if (!ok || ok->type != REDIS_REPLY_ARRAY) {
        std::fprintf(stderr, "sio-bench-latency: SUBSCRIBE failed: %s\n", sub->err ? sub->errstr : "bad reply");
        return 1;
      }
    }
    std::string subscriber_error;
    std::thread subscriber([&] {
      for (std::uint64_t k = 0; k <= total + 1; ++k) {  // bounded: one reply per message, plus the sentinel
        void* raw = nullptr;
        if (redisGetReply(sub.get(), &raw) != REDIS_OK) {
          subscriber_error = sub->errstr;
          return;
        }
        const auto now = clock_type::now();
        const reply_ptr reply(static_cast<redisReply*>(raw));
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) continue;
        const std::string_view payload(reply->element[2]->str, reply->element[2]->len);
        std::uint64_t id = 0;
        if (!order_id_of(payload, id) || id > total) continue;
        if (id == total) return;  // the sentinel
        received_ns[id] = ns_since(origin, now);
      }
    });

    const auto period = std::chrono::duration<double>(1.0 / args.rate);
    const auto start = clock_type::now() + std::chrono::milliseconds(10);
    // Bounded in time too: a machine too slow for the rate stops after three times the planned duration.
    const auto give_up = start + std::chrono::duration_cast<clock_type::duration>(
                                     std::chrono::duration<double>(3 * (args.warmup + args.seconds) + 5));
    std::uint64_t sent = 0;
    std::string publish_error;
    try {
      for (std::uint64_t i = 0; i < total; ++i) {
        const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(period * static_cast<double>(i));
        if (clock_type::now() < deadline) std::this_thread::sleep_until(deadline);
        const auto now = clock_type::now();
        if (now > give_up) break;
        sent_ns[i] = ns_since(origin, now);
        publish(i);
        sent = i + 1;
      }
      finish();
      publish(total);  // the sentinel: the subscriber stops
      finish();
    } catch (const std::exception& e) {
      publish_error = e.what();  // the subscriber still stops: its reads time out after 10 s
    }
    subscriber.join();
    if (!publish_error.empty()) std::fprintf(stderr, "sio-bench-latency: publishing: %s\n", publish_error.c_str());
    if (!subscriber_error.empty())
      std::fprintf(stderr, "sio-bench-latency: subscriber: %s\n", subscriber_error.c_str());

    std::vector<double> latencies_us;
    latencies_us.reserve(measured_count);
    std::uint64_t lost = 0;
    for (auto i = warm_count; i < sent; ++i) {
      if (received_ns[i] < 0) {
        ++lost;
        continue;
      }
      latencies_us.push_back(static_cast<double>(received_ns[i] - sent_ns[i]) / 1000.0);
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    const auto pct = [&](double p) {
      if (latencies_us.empty()) return 0.0;
      const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(latencies_us.size())));
      return latencies_us[std::clamp<std::size_t>(rank, 1, latencies_us.size()) - 1];
    };
    double mean = 0;
    for (const double l : latencies_us) mean += l;
    if (!latencies_us.empty()) mean /= static_cast<double>(latencies_us.size());
    const auto measured_sent = sent > warm_count ? sent - warm_count : 0;
    double achieved = 0;
    if (measured_sent > 1)
      achieved = static_cast<double>(measured_sent - 1) /
                 (static_cast<double>(sent_ns[sent - 1] - sent_ns[warm_count]) / 1e9);
    std::printf(
        "{\"via\":\"%s\",\"rate_target\":%.0f,\"rate_achieved\":%.1f,\"seconds\":%.3f,\"sent\":%llu,\"received\":%zu,"
        "\"lost\":%llu,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
        "\"mean_us\":%.1f}\n",
        args.via_hiredis ? "hiredis" : "sio", args.rate, achieved, args.seconds,
        static_cast<unsigned long long>(measured_sent), latencies_us.size(),
        static_cast<unsigned long long>(lost), pct(50), pct(90), pct(99), pct(99.9),
        latencies_us.empty() ? 0.0 : latencies_us.back(), mean);
    return lost == 0 && measured_sent == measured_count ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-bench-latency: %s\n", e.what());
    return 1;
  }
}
