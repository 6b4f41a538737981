// Structured logs: one JSON object per line on stderr, {"ts":"...Z","level":"info","msg":"...",...fields}.
// Written with RapidJSON's Writer so no untrusted text can break a line or the object. Header-only: the
// executable is main.cpp plus the layer libraries.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sio::gateway::app {

enum class log_level { debug, info, warn, error };

inline std::optional<log_level> parse_log_level(std::string_view text) {
  if (text == "debug") return log_level::debug;
  if (text == "info") return log_level::info;
  if (text == "warn") return log_level::warn;
  if (text == "error") return log_level::error;
  return std::nullopt;
}

inline std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

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
inline std::string iso_timestamp(std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

class logger {
 public:
  explicit logger(log_level min_level = log_level::info, std::FILE* out = stderr) : min_{min_level}, out_{out} {}

  bool enabled(log_level level) const noexcept { return level >= min_; }

  void log(log_level level, std::string_view msg, std::initializer_list<log_field> fields = {}) const {
    if (!enabled(level)) return;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w{buffer};
    w.StartObject();
    write_pair(w, "ts", iso_timestamp(std::chrono::system_clock::now()));
    write_pair(w, "level", to_string(level));
    write_pair(w, "msg", msg);
    for (const auto& f : fields) {
      write_string(w, f.key);
      std::visit(
          [&w](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string_view>) {
              write_string(w, v);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              w.Int64(v);
            } else if constexpr (std::is_same_v<T, std::uint64_t>) {
              w.Uint64(v);
            } else {
              w.Bool(v);
            }
          },
          f.value);
    }
    w.EndObject();
    std::fprintf(out_, "%s\n", buffer.GetString());
    std::fflush(out_);
  }

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
  static void write_string(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }
  static void write_pair(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view key,
                         std::string_view value) {
    write_string(w, key);
    write_string(w, value);
  }

  log_level min_;
  std::FILE* out_;
};

}  // namespace sio::gateway::app
