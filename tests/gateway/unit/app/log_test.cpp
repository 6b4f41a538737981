// app/log: JSON log lines, their timestamps, log_throttle and throttled_logger.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "app/log.hpp"

using namespace std::chrono_literals;
namespace app = sio::gateway::app;

TEST_CASE("app: a log line is one JSON object with ts, level, msg and the fields, whatever the text") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  const app::logger log{app::log_level::info, f};
  log.debug("not shown");
  log.info("listening", {{"port", 3000}, {"url", "http://127.0.0.1:3000"}, {"tricky", "a\"b\n{c}"}, {"ok", true}});
  std::rewind(f);
  char buffer[1024] = {};
  REQUIRE(std::fgets(buffer, sizeof buffer, f) != nullptr);
  CHECK(std::fgets(buffer + 1000, 10, f) == nullptr);  // exactly one line: the debug one was filtered out
  std::fclose(f);
  rapidjson::Document doc;
  doc.Parse(buffer);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string{doc["level"].GetString()} == "info");
  CHECK(std::string{doc["msg"].GetString()} == "listening");
  CHECK(doc["port"].GetInt() == 3000);
  CHECK(std::string{doc["tricky"].GetString()} == "a\"b\n{c}");
  CHECK(doc["ok"].GetBool());
  const std::string ts = doc["ts"].GetString();
  CHECK(ts.size() == 24);  // 2026-11-29T02:10:00.123Z
  CHECK(ts[10] == 'T');
  CHECK(ts.back() == 'Z');
}

TEST_CASE("app: iso_timestamp writes UTC with milliseconds as toISOString does") {
  const std::chrono::system_clock::time_point t{1764336000123ms};
  CHECK(app::iso_timestamp(t) == "2025-11-28T13:20:00.123Z");
}

namespace {

// A clock that stands still until the test moves it.
struct manual_clock {
  app::log_throttle::clock::time_point now{};
  app::log_throttle::clock_function function() {
    return [this] { return now; };
  }
};

// Every line written to `f` so far, each parsed as JSON.
std::vector<rapidjson::Document> json_lines(std::FILE* f) {
  std::rewind(f);
  std::vector<rapidjson::Document> out;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, f) != nullptr) {
    out.emplace_back().Parse(buffer);
    REQUIRE_FALSE(out.back().HasParseError());
  }
  return out;
}

}  // namespace

TEST_CASE("app: log_throttle lets N lines of a key through per interval, then counts the rest for the next one") {
  manual_clock clock;
  app::log_throttle throttle{5, 10s, clock.function()};
  for (int i = 0; i < 5; ++i) CHECK(throttle.admit("flood") == std::optional<std::uint64_t>{0});
  CHECK_FALSE(throttle.admit("flood"));
  CHECK_FALSE(throttle.admit("flood"));
  CHECK(throttle.admit("another message") == std::optional<std::uint64_t>{0});  // its own allowance
  clock.now += 9999ms;
  CHECK_FALSE(throttle.admit("flood"));
  clock.now += 1ms;  // the first 5 are an interval old: the next line passes and says 3 were held back
  CHECK(throttle.admit("flood") == std::optional<std::uint64_t>{3});
  CHECK(throttle.admit("flood") == std::optional<std::uint64_t>{0});
}

TEST_CASE("app: log_throttle counts a sliding interval, not fixed windows") {
  manual_clock clock;
  app::log_throttle throttle{2, 10s, clock.function()};
  CHECK(throttle.admit("m"));  // at 0 s
  clock.now += 6s;
  CHECK(throttle.admit("m"));  // at 6 s
  clock.now += 5s;
  CHECK(throttle.admit("m") == std::optional<std::uint64_t>{0});  // at 11 s: the one at 0 s has left the interval
  CHECK_FALSE(throttle.admit("m"));                                // but 6 s and 11 s are within 10 s
  clock.now += 4s;
  CHECK_FALSE(throttle.admit("m"));  // at 15 s: 6 s is 9 s old
  clock.now += 1s;
  CHECK(throttle.admit("m") == std::optional<std::uint64_t>{2});  // at 16 s
}

TEST_CASE("app: log_throttle shared by threads lets exactly N through and counts every line held back") {
  manual_clock clock;
  app::log_throttle throttle{5, 10s, clock.function()};
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (throttle.admit("from every thread")) ++passed;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(passed == 5);
  clock.now += 10s;
  CHECK(throttle.admit("from every thread") == std::optional<std::uint64_t>{3995});
}

TEST_CASE("app: log_throttle forgets idle keys past 1024, but not one that owes a count") {
  manual_clock clock;
  app::log_throttle throttle{1, 10s, clock.function()};
  CHECK(throttle.admit("owes"));
  CHECK_FALSE(throttle.admit("owes"));
  for (int i = 0; i < 1023; ++i) throttle.admit("key " + std::to_string(i));
  CHECK(throttle.keys() == 1024);
  CHECK_FALSE(throttle.admit("key 0"));  // now "key 0" owes a count too
  clock.now += 10s;
  CHECK(throttle.admit("one more") == std::optional<std::uint64_t>{0});
  CHECK(throttle.keys() == 3);  // "owes", "key 0" (held back one) and "one more"
  CHECK(throttle.admit("owes") == std::optional<std::uint64_t>{1});
}

TEST_CASE("app: throttled_logger writes suppressed on the next line that passes, and skipped levels cost nothing") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  const app::logger log{app::log_level::warn, f};
  manual_clock clock;
  app::throttled_logger throttled{log, 2, 10s, clock.function()};
  for (int i = 0; i < 10; ++i) throttled.info("malformed adapter message");  // below --log-level: not counted
  for (int i = 0; i < 5; ++i) throttled.warn("malformed adapter message", {{"channel", "socket.io#/#"}, {"n", i}});
  throttled.error("cannot accept", {{"error", "too many open files"}});
  clock.now += 10s;
  throttled.warn("malformed adapter message", {{"channel", "socket.io-request#/#"}, {"reason", "opts missing"}});
  const auto lines = json_lines(f);
  std::fclose(f);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["n"].GetInt() == 0);
  CHECK(lines[1]["n"].GetInt() == 1);
  CHECK_FALSE(lines[1].HasMember("suppressed"));
  CHECK(std::string{lines[2]["msg"].GetString()} == "cannot accept");
  const auto& last = lines[3];
  CHECK(std::string{last["level"].GetString()} == "warn");
  CHECK(std::string{last["msg"].GetString()} == "malformed adapter message");
  CHECK(std::string{last["channel"].GetString()} == "socket.io-request#/#");
  CHECK(std::string{last["reason"].GetString()} == "opts missing");
  CHECK(last["suppressed"].GetUint64() == 3);
}
