// Engine.IO v4 packets and polling payloads (PROTOCOL.md §7.3), as engine.io-parser 5.2.3 reads and writes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::gateway::engineio {

enum class packet_type : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

struct packet {
  packet_type type = packet_type::message;
  std::string data;     // text after the type digit, or the bytes of a binary message
  bool binary = false;  // a binary message (WebSocket binary frame, or "b<base64>" in text form)
};

// Polling payloads join packets with the ASCII record separator.
inline constexpr char payload_separator = '\x1e';

// The type of a packet in text form, read without copying its data: `base64` for "b<base64>" (a binary message).
// std::nullopt when malformed (see decode_packet).
struct packet_kind {
  packet_type type;
  bool base64 = false;
};
std::optional<packet_kind> packet_kind_of(std::string_view text);

// One packet in text form (a WebSocket text frame or one element of a polling payload). "b<base64>" is a binary
// message. std::nullopt when it is no Engine.IO packet (empty, or an unknown type): engine.io-parser's "error"
// packet, which makes the server close the session with "parse error".
std::optional<packet> decode_packet(std::string_view text);

struct decoded_payload {
  std::vector<packet> packets;  // the packets before the first malformed one
  bool malformed = false;       // decoding stopped at a malformed packet
};

// A polling POST body: packets separated by \x1e. Decoding stops at the first malformed packet, like
// engine.io-parser's decodePayload.
decoded_payload decode_payload(std::string_view body);

// Appends one packet to a polling payload being built (the separator first unless `payload` is empty):
// a text packet as is, a binary message as "b<base64>".
void append_text_to_payload(std::string& payload, std::string_view encoded_packet);
void append_binary_to_payload(std::string& payload, std::string_view bytes);

// "b" + base64: a binary message in text form (polling, and WebSocket clients that asked for b64=1).
std::string binary_as_text(std::string_view bytes);

// Standard base64 (with padding), through Beast's implementation.
std::string base64_encode(std::string_view bytes);
// Decodes standard base64; like Node's Buffer.from(s, "base64"), decoding stops at the first character that is
// not part of the alphabet (padding included) and keeps what was decoded before it.
std::string base64_decode(std::string_view text);

}  // namespace sio::gateway::engineio
