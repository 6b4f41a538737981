#include "socketio/handshake_json.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <string_view>
#include <utility>
#include <vector>

#include "socketio/text_encoding.hpp"
#include "sio/internal/value/json_writer.hpp"

namespace sio::gateway::socketio {

namespace {

// Headers Node's http parser keeps only the first of (IncomingMessage._addHeaderLine).
bool keeps_first_only(std::string_view name) {
  static constexpr std::array<std::string_view, 18> single{
      "content-type",        "content-length", "user-agent", "referer", "host",         "authorization",
      "proxy-authorization", "if-modified-since", "if-unmodified-since", "from", "location", "max-forwards",
      "retry-after",         "etag",           "last-modified", "server", "age",        "expires"};
  return std::find(single.begin(), single.end(), name) != single.end();
}

// request.headers: set-cookie an array, cookie joined by "; ", single-valued ones first wins, others ", ".
sio::value headers_object(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::pair<std::string, std::vector<std::string>>> grouped;
  for (const auto& [raw_name, raw_value] : headers) {
    std::string name = latin1_to_utf8(raw_name);
    std::string value = latin1_to_utf8(raw_value);
    auto group = std::find_if(grouped.begin(), grouped.end(), [&](const auto& g) { return g.first == name; });
    if (group == grouped.end()) {
      grouped.push_back({std::move(name), {std::move(value)}});
    } else if (!keeps_first_only(name)) {
      group->second.push_back(std::move(value));
    }
  }
  sio::value::object_type members;
  for (auto& [name, values] : grouped) {
    if (name == "set-cookie") {
      members.emplace_back(name, sio::value(values));
      continue;
    }
    std::string joined;
    const std::string_view separator = name == "cookie" ? "; " : ", ";
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (k > 0) joined += separator;
      joined += values[k];
    }
    members.emplace_back(name, sio::value(std::move(joined)));
  }
  return sio::value::object(std::move(members));
}

// url.parse(url, true).query: a repeated parameter becomes an array.
sio::value query_object(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::vector<std::string>>> grouped;
  for (const auto& [raw_name, raw_value] : query) {
    std::string name = to_valid_utf8(raw_name);
    auto group = std::find_if(grouped.begin(), grouped.end(), [&](const auto& g) { return g.first == name; });
    if (group == grouped.end())
      grouped.push_back({std::move(name), {to_valid_utf8(raw_value)}});
    else
      group->second.push_back(to_valid_utf8(raw_value));
  }
  sio::value::object_type members;
  for (auto& [name, values] : grouped)
    members.emplace_back(name, values.size() == 1 ? sio::value(values.front()) : sio::value(values));
  return sio::value::object(std::move(members));
}

}  // namespace

std::string js_date_string(std::int64_t ms) {
  const auto seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 96> buffer{};
  const std::size_t n =
      std::strftime(buffer.data(), buffer.size(), "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)", &utc);
  return std::string(buffer.data(), n);
}

std::string handshake_json(const engineio::handshake_info& handshake, const sio::value& auth,
                           std::int64_t issued_ms) {
  const sio::value description = sio::value::object({
      {"headers", headers_object(handshake.headers)},
      {"time", sio::value(js_date_string(issued_ms))},
      {"address", sio::value(to_valid_utf8(handshake.address))},
      {"xdomain", sio::value(handshake.xdomain)},
      {"secure", sio::value(handshake.secure)},
      {"issued", sio::value(issued_ms)},
      {"url", sio::value(latin1_to_utf8(handshake.url))},
      {"query", query_object(handshake.query)},
      {"auth", auth},
  });
  std::string out;
  sio::detail::write_json(out, description);
  return out;
}

}  // namespace sio::gateway::socketio
