// socket.io-parser 4.2.7 Decoder.decodeString / isPayloadValid / BinaryReconstructor for client packets.
#include "socketio/packet.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "sio/internal/value/json_reader.hpp"

namespace sio::gateway::socketio {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// The event names a client may not send (socket.io-parser RESERVED_EVENTS).
bool is_reserved_event(std::string_view name) {
  static constexpr std::array<std::string_view, 6> reserved{"connect",       "connect_error", "disconnect",
                                                            "disconnecting", "newListener",   "removeListener"};
  return std::find(reserved.begin(), reserved.end(), name) != reserved.end();
}

// An event's name as isPayloadValid accepts it: a number, or a string that is not reserved.
bool is_event_name(sio::value::kind kind, std::string_view name) {
  using k = sio::value::kind;
  if (kind == k::number || kind == k::integer || kind == k::unsigned_integer) return true;
  return kind == k::string && !is_reserved_event(name);
}

bool is_payload_valid(packet_type type, const sio::value& payload) {
  using kind = sio::value::kind;
  switch (type) {
    case packet_type::connect: return payload.type() == kind::object;
    case packet_type::disconnect: return false;  // must carry no payload
    case packet_type::connect_error: return payload.type() == kind::string || payload.type() == kind::object;
    case packet_type::event:
    case packet_type::binary_event: {
      if (payload.type() != kind::array || payload.as_array().empty()) return false;
      const sio::value& name = payload.as_array().front();
      return is_event_name(name.type(), name.type() == kind::string ? std::string_view{name.as_string()} : "");
    }
    case packet_type::ack:
    case packet_type::binary_ack: return payload.type() == kind::array;
  }
  return false;
}

// reconstructPacket: every {"_placeholder":true,"num":i} becomes attachment i.
sio::value fill_placeholders(const sio::value& v, const std::vector<sio::value>& attachments) {
  using kind = sio::value::kind;
  if (v.type() == kind::array) {
    sio::value::array_type elements;
    elements.reserve(v.as_array().size());
    for (const auto& element : v.as_array()) elements.push_back(fill_placeholders(element, attachments));
    return sio::value(std::move(elements));
  }
  if (v.type() != kind::object) return v;
  const auto& members = v.as_object();
  const auto placeholder = std::find_if(members.begin(), members.end(), [](const sio::value::member& m) {
    return m.first == "_placeholder" && m.second.type() == kind::boolean && m.second.as_bool();
  });
  if (placeholder != members.end()) {
    const auto num = std::find_if(members.begin(), members.end(),
                                  [](const sio::value::member& m) { return m.first == "num"; });
    if (num == members.end()) throw decode_error("illegal attachments: placeholder without num");
    if (!num->second.is_number())
      throw decode_error("illegal attachments: placeholder num is not a number");
    const double index = num->second.as_number();
    if (!(index >= 0) || index >= static_cast<double>(attachments.size()))
      throw decode_error(fmt::format("illegal attachments: no attachment {}", index));
    // buffers[0.5] is undefined in JavaScript.
    if (std::trunc(index) != index) return sio::value::undefined();
    return attachments[static_cast<std::size_t>(index)];
  }
  sio::value::object_type filled;
  filled.reserve(members.size());
  for (const auto& [key, member] : members) filled.emplace_back(key, fill_placeholders(member, attachments));
  return sio::value::object(std::move(filled));
}

// `attachments` gets the count a BINARY_EVENT/BINARY_ACK announces (0 for other types).
packet decode_string(std::string_view text, std::size_t max_attachments, bool keep_event_data,
                     std::size_t& attachments) {
  packet p;
  std::size_t i = 0;
  // Number("") is 0: an empty message is a CONNECT to "/".
  if (!text.empty()) {
    const char t = text[0];
    if (t < '0' || t > '6') throw decode_error(fmt::format("unknown packet type '{}'", t));
    p.type = static_cast<packet_type>(t - '0');
    i = 1;
  }

  attachments = 0;
  if (p.type == packet_type::binary_event || p.type == packet_type::binary_ack) {
    const std::size_t dash = text.find('-', i);
    if (dash == std::string_view::npos) throw decode_error("illegal attachments: no '-'");
    const std::string_view count = text.substr(i, dash - i);
    const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), attachments);
    if (count.empty() || ec != std::errc{} || end != count.data() + count.size() || attachments == 0)
      throw decode_error(fmt::format("illegal attachments '{}'", count));
    if (attachments > max_attachments) throw decode_error("too many attachments");
    i = dash + 1;
  }

  if (i < text.size() && text[i] == '/') {
    const std::size_t comma = text.find(',', i);
    const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    p.nsp = std::string(text.substr(i, end - i));
    i = comma == std::string_view::npos ? text.size() : comma + 1;
  }

  if (i < text.size() && is_digit(text[i])) {
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    std::uint64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, id);
    p.id = ec == std::errc{} ? id : std::numeric_limits<std::uint64_t>::max();
  }

  if (i < text.size() && p.type == packet_type::event && !keep_event_data) {
    sio::detail::json_outline outline;
    try {
      outline = sio::detail::outline_json(text.substr(i));
    } catch (const std::exception&) {
      throw decode_error("invalid payload: not JSON");
    }
    if (outline.top != sio::value::kind::array || outline.top_size == 0 ||
        !is_event_name(*outline.first, outline.first_string))
      throw decode_error("invalid payload");
    return p;
  }
  if (i < text.size()) {
    sio::value payload;
    try {
      payload = sio::json(text.substr(i));
    } catch (const std::exception&) {
      throw decode_error("invalid payload: not JSON");
    }
    if (!is_payload_valid(p.type, payload)) throw decode_error("invalid payload");
    p.data = std::move(payload);
  }
  return p;
}

}  // namespace

std::optional<packet> packet_decoder::add_text(std::string_view text) {
  if (pending_) throw decode_error("got plaintext data when reconstructing a packet");
  std::size_t attachments = 0;
  packet p = decode_string(text, max_attachments_, keep_event_data_, attachments);
  if (attachments > 0) {  // a binary packet: kept until its attachments arrive
    expected_attachments_ = attachments;
    attachments_.clear();
    pending_ = std::move(p);
    return std::nullopt;
  }
  return p;
}

std::optional<packet> packet_decoder::add_binary(std::string_view bytes) {
  if (!pending_) throw decode_error("got binary data when not reconstructing a packet");
  attachments_.emplace_back(sio::binary(bytes));
  if (attachments_.size() < expected_attachments_) return std::nullopt;
  packet p = std::move(*pending_);
  pending_.reset();
  if (p.data) p.data = fill_placeholders(*p.data, attachments_);
  attachments_.clear();
  return p;
}

}  // namespace sio::gateway::socketio
