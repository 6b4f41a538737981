#include "app/log.hpp"

#include <ctime>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sio::gateway::app {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_pair(json_writer& w, std::string_view key, std::string_view value) {
  write_string(w, key);
  write_string(w, value);
}

}  // namespace

std::optional<log_level> parse_log_level(std::string_view text) {
  if (text == "debug") return log_level::debug;
  if (text == "info") return log_level::info;
  if (text == "warn") return log_level::warn;
  if (text == "error") return log_level::error;
  return std::nullopt;
}

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

std::string iso_timestamp(std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

void logger::log_fields(log_level level, std::string_view msg, std::span<const log_field> fields) const {
  if (!enabled(level)) return;
  rapidjson::StringBuffer buffer;
  json_writer w{buffer};
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

std::optional<std::uint64_t> log_throttle::admit(std::string_view key) {
  const auto now = now_();
  std::lock_guard lock{mutex_};
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= max_keys) forget_idle(now);
    it = keys_.emplace(std::string{key}, entry{}).first;
  }
  entry& e = it->second;
  // A sliding window: `passed` holds the times of the last `lines_` lines let through, so one more may pass
  // once the oldest of them is an interval old (a fixed window would let 2 × lines through across its edge).
  if (e.passed.size() >= lines_) {
    if (now - e.passed.front() < interval_) {
      ++e.suppressed;
      return std::nullopt;
    }
    e.passed.pop_front();
  }
  e.passed.push_back(now);
  return std::exchange(e.suppressed, 0);
}

std::size_t log_throttle::keys() const {
  std::lock_guard lock{mutex_};
  return keys_.size();
}

void log_throttle::forget_idle(clock::time_point now) {
  std::erase_if(keys_, [&](const auto& item) {
    const entry& e = item.second;
    return e.suppressed == 0 && (e.passed.empty() || now - e.passed.back() >= interval_);
  });
}

void throttled_logger::log(log_level level, std::string_view msg, std::initializer_list<log_field> fields) {
  if (!log_.enabled(level)) return;  // a line below the level is not written, so it takes none of the allowance
  const auto suppressed = throttle_.admit(msg);
  if (!suppressed) return;
  if (*suppressed == 0) {
    log_.log(level, msg, fields);
  } else {
    std::vector<log_field> all{fields};
    all.emplace_back("suppressed", *suppressed);
    log_.log_fields(level, msg, all);
  }
}

}  // namespace sio::gateway::app
