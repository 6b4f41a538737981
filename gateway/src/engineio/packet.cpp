#include "engineio/packet.hpp"

#include <boost/beast/core/detail/base64.hpp>

namespace sio::gateway::engineio {

namespace base64 = boost::beast::detail::base64;

std::string base64_encode(std::string_view bytes) {
  std::string out(base64::encoded_size(bytes.size()), '\0');
  out.resize(base64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out(base64::decoded_size(text.size()) + 3, '\0');
  const auto [written, read] = base64::decode(out.data(), text.data(), text.size());
  out.resize(written);
  return out;
}

std::string binary_as_text(std::string_view bytes) {
  std::string out;
  out.reserve(1 + base64::encoded_size(bytes.size()));
  out += 'b';
  out += base64_encode(bytes);
  return out;
}

std::optional<packet_kind> packet_kind_of(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char type = text.front();
  if (type == 'b') return packet_kind{packet_type::message, true};
  if (type < '0' || type > '6') return std::nullopt;
  return packet_kind{static_cast<packet_type>(type), false};
}

std::optional<packet> decode_packet(std::string_view text) {
  const auto kind = packet_kind_of(text);
  if (!kind) return std::nullopt;
  if (kind->base64) return packet{packet_type::message, base64_decode(text.substr(1)), true};
  return packet{kind->type, std::string{text.substr(1)}, false};
}

decoded_payload decode_payload(std::string_view body) {
  decoded_payload result;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = body.find(payload_separator, start);
    const std::string_view piece = body.substr(start, end == std::string_view::npos ? body.npos : end - start);
    auto decoded = decode_packet(piece);
    if (!decoded) {
      result.malformed = true;
      return result;
    }
    result.packets.push_back(std::move(*decoded));
    if (end == std::string_view::npos) return result;
    start = end + 1;
  }
}

void append_text_to_payload(std::string& payload, std::string_view encoded_packet) {
  if (!payload.empty()) payload += payload_separator;
  payload += encoded_packet;
}

void append_binary_to_payload(std::string& payload, std::string_view bytes) {
  if (!payload.empty()) payload += payload_separator;
  payload += 'b';
  payload += base64_encode(bytes);
}

}  // namespace sio::gateway::engineio
