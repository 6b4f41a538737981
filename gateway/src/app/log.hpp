// Structured logs: one JSON object per line on stderr, {"ts":"...Z","level":"info","msg":"...",...fields}.
// Written with RapidJSON's Writer (log.cpp) so no untrusted text can break a line or the object.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace sio::gateway::app {

enum class log_level { debug, info, warn, error };

std::optional<log_level> parse_log_level(std::string_view text);

std::string_view to_string(log_level level);

struct log_field {
  using value_type = std::variant<std::string_view, std::int64_t, std::uint64_t, bool>;
  std::string_view key;
  value_type value;

  log_field(std::string_view k, std::string_view v) : key{k}, value{v} {}
  log_field(std::string_view k, const std::string& v) : key{k}, value{std::string_view{v}} {}
  log_field(std::string_view k, const char* v) : key{k}, value{std::string_view{v}} {}
  log_field(std::string_view k, bool v) : key{k}, value{v} {}
  template <typename Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
  log_field(std::string_view k, Int v) : key{k} {
    if constexpr (std::is_signed_v<Int>) {
      value = static_cast<std::int64_t>(v);
    } else {
      value = static_cast<std::uint64_t>(v);
    }
  }
};

// ISO 8601 UTC with milliseconds, as JavaScript's Date.prototype.toISOString writes it.
std::string iso_timestamp(std::chrono::system_clock::time_point now);

class logger {
 public:
  explicit logger(log_level min_level = log_level::info, std::FILE* out = stderr) : min_{min_level}, out_{out} {}

  bool enabled(log_level level) const noexcept { return level >= min_; }

  void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields = {}) const {
    log_fields(level, msg, std::span<const log_field>{fields.begin(), fields.size()});
  }

  // The same with fields gathered at run time (throttled_logger adds "suppressed" to the caller's).
  void log_fields(log_level level, std::string_view msg, std::span<const log_field> fields) const;

  void debug(std::string_view msg, std::initializer_list<log_field> fields = {}) const {
    log(log_level::debug, msg, fields);
  }
  void info(std::string_view msg, std::initializer_list<log_field> fields = {}) const {
    log(log_level::info, msg, fields);
  }
  void warn(std::string_view msg, std::initializer_list<log_field> fields = {}) const {
    log(log_level::warn, msg, fields);
  }
  void error(std::string_view msg, std::initializer_list<log_field> fields = {}) const {
    log(log_level::error, msg, fields);
  }

 private:
  log_level min_;
  std::FILE* out_;
};

// Lets at most `lines` lines of one key through in any `interval`, and counts the ones it holds back so that the
// next line of that key to pass can say how many were dropped. The key is the log message: a flood of one kind of
// line (malformed adapter messages, failed accepts) is cut short while every other line still passes. Thread-safe:
// the adapter's threads and the I/O thread share one. The clock is injectable for tests.
class log_throttle {
 public:
  using clock = std::chrono::steady_clock;
  using clock_function = std::function<clock::time_point()>;

  explicit log_throttle(std::size_t lines = 5, clock::duration interval = std::chrono::seconds{10},
                        clock_function now = &clock::now)
      : lines_{lines == 0 ? 1 : lines}, interval_{interval}, now_{std::move(now)} {}

  // nullopt: hold this line back. Otherwise let it through: the value is how many lines of `key` were held back
  // since the last one that passed.
  std::optional<std::uint64_t> admit(std::string_view key);

  std::size_t keys() const;

 private:
  struct entry {
    std::deque<clock::time_point> passed;  // oldest first, at most lines_
    std::uint64_t suppressed = 0;          // held back since the last line that passed
  };

  // Keys are log messages, normally a handful of literals; should a caller build them at run time, entries whose
  // lines are all an interval old (they throttle nothing) and owe no count are dropped rather than kept forever.
  static constexpr std::size_t max_keys = 1024;
  void forget_idle(clock::time_point now);

  const std::size_t lines_;
  const clock::duration interval_;
  const clock_function now_;
  mutable std::mutex mutex_;
  std::map<std::string, entry, std::less<>> keys_;
};

// A logger for lines that someone outside the gateway can cause at will (a publisher sending malformed adapter
// messages, a flood of connections making accept() fail): each message passes log_throttle, and the first line
// to pass after some were held back carries "suppressed": <count>. Thread-safe, as logger and log_throttle are.
class throttled_logger {
 public:
  explicit throttled_logger(const logger& log, std::size_t lines = 5,
                            log_throttle::clock::duration interval = std::chrono::seconds{10},
                            log_throttle::clock_function now = &log_throttle::clock::now)
      : log_{log}, throttle_{lines, interval, std::move(now)} {}

  void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields = {});

  void debug(std::string_view msg, std::initializer_list<log_field> fields = {}) { log(log_level::debug, msg, fields); }
  void info(std::string_view msg, std::initializer_list<log_field> fields = {}) { log(log_level::info, msg, fields); }
  void warn(std::string_view msg, std::initializer_list<log_field> fields = {}) { log(log_level::warn, msg, fields); }
  void error(std::string_view msg, std::initializer_list<log_field> fields = {}) { log(log_level::error, msg, fields); }

 private:
  const logger& log_;
  log_throttle throttle_;
};

}  // namespace sio::gateway::app
