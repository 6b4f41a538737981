// Engine.IO packets from clients: WebSocket text frames and polling POST bodies (packets joined by \x1e,
// "b<base64>" for binary). Decoding never throws; a malformed packet is reported, not thrown.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engineio/packet.hpp"
#include "fuzz_check.hpp"

namespace {

namespace eio = sio::gateway::engineio;
using sio::fuzz::require;

bool same(const eio::packet& a, const eio::packet& b) {
  return a.type == b.type && a.data == b.data && a.binary == b.binary;
}

// One packet as a text frame; the kind read without copying agrees with the full decode.
void check_packet(std::string_view text) {
  const auto kind = eio::packet_kind_of(text);
  const auto p = eio::decode_packet(text);
  require(kind.has_value() == p.has_value(), "packet_kind_of and decode_packet agree on malformed packets");
  if (!p) return;
  require(kind->type == p->type && kind->base64 == p->binary, "packet_kind_of and decode_packet agree on the type");
  if (!p->binary) require(static_cast<char>(p->type) + p->data == text, "a text packet keeps its text");
}

// A payload re-encoded from its packets decodes to the same packets; text packets are kept byte for byte.
void check_payload(std::string_view body) {
  const auto decoded = eio::decode_payload(body);
  if (decoded.malformed) return;
  std::string again;
  for (const auto& p : decoded.packets) {
    if (p.binary)
      eio::append_binary_to_payload(again, p.data);
    else
      eio::append_text_to_payload(again, static_cast<char>(p.type) + p.data);
  }
  const auto redecoded = eio::decode_payload(again);
  require(!redecoded.malformed && redecoded.packets.size() == decoded.packets.size(),
          "a re-encoded payload has the same packets");
  for (std::size_t i = 0; i < decoded.packets.size(); ++i)
    require(same(redecoded.packets[i], decoded.packets[i]), "a re-encoded payload has the same packets");
}

// Any bytes survive base64 and the "b<base64>" text form of a binary message.
void check_binary(std::string_view bytes) {
  require(eio::base64_decode(eio::base64_encode(bytes)) == bytes, "base64_decode(base64_encode(x)) == x");
  const auto p = eio::decode_packet(eio::binary_as_text(bytes));
  require(p && p->binary && p->type == eio::packet_type::message && p->data == bytes,
          "binary_as_text decodes to the same binary message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_packet(input);
  check_payload(input);
  check_binary(input);
  (void)eio::base64_decode(input);  // lenient: stops at the first character outside the alphabet
  return 0;
}
