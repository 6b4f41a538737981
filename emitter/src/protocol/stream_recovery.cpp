#include "sio/internal/protocol/stream_recovery.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

#include "sio/error.hpp"
#include "sio/internal/protocol/base64.hpp"
#include "sio/internal/protocol/js_semantics.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

namespace {

using kind = sio::value::kind;

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool recoverable_disconnect_reason(std::string_view reason) noexcept {
  static constexpr std::array<std::string_view, 6> reasons{"transport error", "transport close",
                                                            "forced close",    "ping timeout",
                                                            "server shutting down", "forced server close"};
  return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
}

std::string session_key(std::string_view prefix, std::string_view pid) {
  std::string key(prefix);
  key += pid;
  return key;
}

std::string encode_session(const recovery_session& session) {
  // @msgpack/msgpack.encode({sid, pid, rooms, data}): keys in that order, as Socket._onclose builds the object.
  std::string packed;
  notepack_writer w(packed, msgpack_dialect::msgpack_javascript);
  w.map_header(4);
  w.checked_string("sid");
  w.string(session.sid);
  w.checked_string("pid");
  w.string(session.pid);
  w.checked_string("rooms");
  w.array_header(static_cast<std::uint32_t>(session.rooms.size()));
  for (const auto& room : session.rooms) w.string(room);
  w.checked_string("data");
  w.value(session.data);
  return base64_encode(packed);
}

std::optional<recovery_session> decode_session(std::string_view stored) {
  sio::value decoded;
  try {
    decoded = decode_msgpack(base64_decode(stored));
  } catch (const sio::error&) {
    return std::nullopt;
  }
  const sio::value sid = property(decoded, "sid");
  const sio::value pid = property(decoded, "pid");
  const sio::value rooms = property(decoded, "rooms");
  if (sid.type() != kind::string || pid.type() != kind::string || rooms.type() != kind::array) return std::nullopt;
  recovery_session session;
  session.sid = sid.as_string();
  session.pid = pid.as_string();
  for (const auto& room : rooms.as_array()) {
    if (room.type() != kind::string) return std::nullopt;
    session.rooms.push_back(room.as_string());
  }
  session.data = property(decoded, "data");
  return session;
}

bool valid_stream_offset(std::string_view offset) noexcept {
  const auto dash = offset.find('-');
  return dash != std::string_view::npos && all_digits(offset.substr(0, dash)) && all_digits(offset.substr(dash + 1));
}

std::string next_stream_offset(std::string_view offset) {
  const auto dash = offset.find('-');
  const std::string_view seq = offset.substr(dash + 1);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), n);
  std::string next(offset.substr(0, dash + 1));
  // A sequence past 2^64 - 1 names no entry Redis can hold: the next millisecond's first id.
  if (ec != std::errc{} || end != seq.data() + seq.size() || n == UINT64_MAX) {
    std::uint64_t ms = 0;
    std::from_chars(offset.data(), offset.data() + dash, ms);
    return std::to_string(ms + 1) + "-0";
  }
  next += std::to_string(n + 1);
  return next;
}

int compare_stream_offsets(std::string_view a, std::string_view b) noexcept {
  const auto parts = [](std::string_view id) {
    const auto dash = id.find('-');
    std::uint64_t ms = 0, seq = 0;
    std::from_chars(id.data(), id.data() + std::min(dash, id.size()), ms);
    if (dash != std::string_view::npos) std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq);
    return std::pair{ms, seq};
  };
  const auto x = parts(a), y = parts(b);
  return x < y ? -1 : (y < x ? 1 : 0);
}

bool should_include_packet(const std::vector<std::string>& session_rooms, const room_target& target) {
  const auto in = [](const std::vector<std::string>& list, const std::string& room) {
    return std::find(list.begin(), list.end(), room) != list.end();
  };
  const bool included = target.rooms.empty() || std::any_of(session_rooms.begin(), session_rooms.end(),
                                                            [&](const auto& r) { return in(target.rooms, r); });
  const bool not_excluded =
      std::none_of(session_rooms.begin(), session_rooms.end(), [&](const auto& r) { return in(target.except, r); });
  return included && not_excluded;
}

std::optional<sio::value> missed_packet(std::string_view nsp, const stream_entry& entry, std::string_view entry_id,
                                        const std::vector<std::string>& session_rooms) {
  // `entry.message.nsp === this.nsp.name && entry.message.type === "3"`: the type compared as the text.
  if (!entry.nsp || *entry.nsp != nsp || !entry.type || *entry.type != "3") return std::nullopt;
  // No own uid: a server replays its own broadcasts too.
  const cluster_decoding decoding = decode_stream_entry(cluster_receiver{cluster_adapter::streams, {}, nsp}, entry);
  if (decoding.outcome != cluster_outcome::apply) return std::nullopt;
  const auto* b = std::get_if<cluster_broadcast>(&decoding.message->body);
  if (b == nullptr || b->data.type() != kind::array || !should_include_packet(session_rooms, b->target))
    return std::nullopt;
  sio::value::array_type data = b->data.as_array();
  data.emplace_back(std::string(entry_id));  // packet.data.push(entry.id)
  return sio::value(std::move(data));
}

}  // namespace sio::detail
