#include "sio/internal/protocol/channels.hpp"

#include <cstdint>

#include <fmt/format.h>

namespace sio::detail {

namespace {

// JavaScript's "abc".charCodeAt() walk: the UTF-16 code units of a valid UTF-8 string.
template <class F>
void for_each_utf16_unit(std::string_view text, F&& unit) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    std::uint32_t cp = length == 1 ? lead : lead & (0x3fu >> (length - 1));
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3fu);
    if (cp > 0xffff) {
      cp -= 0x10000;
      unit(0xd800 + (cp >> 10));
      unit(0xdc00 + (cp & 0x3ff));
    } else {
      unit(cp);
    }
    i += length;
  }
}

// The adapter's hashCode(): h = h * 31 + unit, wrapped to int32 at each step.
std::int32_t java_hash_code(std::string_view text) {
  std::uint32_t hash = 0;  // unsigned arithmetic wraps like `hash |= 0` does
  for_each_utf16_unit(text, [&](std::uint32_t unit) { hash = hash * 31u + unit; });
  return static_cast<std::int32_t>(hash);
}

}  // namespace

void append_classic_broadcast_channel(std::string& out, std::string_view key, std::string_view nsp,
                                      const std::string* room) {
  // On the publish hot path: one reservation, single characters pushed (no strlen, no growth in between).
  out.reserve(out.size() + key.size() + nsp.size() + 2 + (room != nullptr ? room->size() + 1 : 0));
  out.append(key);
  out.push_back('#');
  out.append(nsp);
  out.push_back('#');
  if (room != nullptr) {
    out.append(*room);
    out.push_back('#');
  }
}

void append_classic_request_channel(std::string& out, std::string_view key, std::string_view nsp) {
  out.append(key).append("-request#").append(nsp).append("#");
}

std::string request_channel(std::string_view key, std::string_view nsp) {
  std::string out;
  append_classic_request_channel(out, key, nsp);
  return out;
}

std::string shared_response_channel(std::string_view key, std::string_view nsp) {
  return fmt::format("{}-response#{}#", key, nsp);
}

std::string own_response_channel(std::string_view key, std::string_view nsp, std::string_view uid) {
  return fmt::format("{}{}#", shared_response_channel(key, nsp), uid);
}

classic_channels classic_channels_for(std::string_view key, std::string_view nsp, std::string_view uid) {
  classic_channels c;
  append_classic_broadcast_channel(c.broadcast_prefix, key, nsp);
  c.broadcast_pattern = c.broadcast_prefix + "*";
  c.request = request_channel(key, nsp);
  c.response = shared_response_channel(key, nsp);
  c.own_response = own_response_channel(key, nsp, uid);
  return c;
}

std::optional<std::string> classic_channel_room(std::string_view channel, std::string_view prefix) {
  if (!channel.starts_with(prefix)) return std::nullopt;
  const std::string_view rest = channel.substr(prefix.size());
  // channel.slice(prefix.length, -1)
  return std::string(rest.empty() ? rest : rest.substr(0, rest.size() - 1));
}

subscription_mode subscription_mode_of(Options::subscription_mode mode) noexcept {
  switch (mode) {
    case Options::subscription_mode::dynamic: return subscription_mode::dynamic;
    case Options::subscription_mode::static_: return subscription_mode::static_;
    case Options::subscription_mode::dynamic_private: return subscription_mode::dynamic_private;
  }
  return subscription_mode::static_;
}

bool sharded_server_subscribes_room(subscription_mode mode, bool socket_room) noexcept {
  return mode == subscription_mode::dynamic_private || (mode == subscription_mode::dynamic && !socket_room);
}

bool sharded_room_has_channel(std::string_view room, subscription_mode mode) {
  if (mode == subscription_mode::dynamic_private) return true;
  if (mode != subscription_mode::dynamic) return false;
  std::size_t units = 0;  // the room's length in UTF-16 units: 20 looks like a socket id
  for (const char c : room) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xc0) == 0x80) continue;  // a continuation byte: counted with its lead byte
    units += byte >= 0xf0 ? 2 : 1;        // 4-byte sequences are surrogate pairs in UTF-16
  }
  return units != 20;
}

void append_sharded_channel(std::string& out, std::string_view prefix, std::string_view nsp, const std::string* room) {
  out.append(prefix).append("#").append(nsp).append("#");
  if (room != nullptr) out.append(*room).append("#");
}

std::string cluster_response_channel(std::string_view prefix, std::string_view nsp, std::string_view uid) {
  std::string out;
  append_sharded_channel(out, prefix, nsp);
  return out.append(uid).append("#");
}

std::string stream_name_for(std::string_view nsp, const stream_settings& settings) {
  if (settings.stream_count <= 1) return std::string(settings.stream_name);
  // C++ % truncates toward zero like JavaScript's, so a negative hash keeps its sign.
  const auto index = static_cast<long long>(java_hash_code(nsp)) % static_cast<long long>(settings.stream_count);
  return fmt::format("{}-{}", settings.stream_name, index);
}

}  // namespace sio::detail
