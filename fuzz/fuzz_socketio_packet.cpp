// Socket.IO packets from clients, as one connection's packet_decoder receives them: text messages and, after a
// BINARY_EVENT/BINARY_ACK, its binary attachments. decode_error is the expected refusal (the server then closes
// the connection); anything else escaping, a sanitizer report or a broken invariant is a bug.
//
// Input: messages separated by a marker byte that also gives the next message's kind: \x1e a text message,
// \x1f a binary one; the first message is text. E.g. 451-["e",{"_placeholder":true,"num":0}]\x1f<bytes>.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "sio/value.hpp"
#include "socketio/encode.hpp"
#include "socketio/packet.hpp"

namespace {

namespace sock = sio::gateway::socketio;
using sio::fuzz::require;

constexpr std::string_view markers("\x1e\x1f", 2);  // text, binary
constexpr char binary_marker = '\x1f';
constexpr std::size_t max_attachments = 10;  // sio-gateway's default (--max-attachments)

bool is_event(sock::packet_type t) {
  return t == sock::packet_type::event || t == sock::packet_type::binary_event;
}

// What the decoder hands the server satisfies socket.io-parser's isPayloadValid.
void check_packet(const sock::packet& p) {
  require(!p.nsp.empty() && p.nsp.front() == '/', "the namespace starts with '/'");
  if (!p.data) return;
  const auto& d = *p.data;
  if (is_event(p.type)) require(d.type() == sio::value::kind::array && !d.as_array().empty(), "an event has a name");
  if (p.type == sock::packet_type::connect) require(d.type() == sio::value::kind::object, "CONNECT auth is an object");
  require(p.type != sock::packet_type::disconnect, "DISCONNECT carries no payload");
}

// The gateway's encoder (what a server sends) and this decoder (what it reads) agree: an event sent back as
// the server would encode it decodes to the same data, attachments included.
void check_echo(const sock::packet& p) {
  if (!is_event(p.type) || !p.data) return;
  const auto& name = p.data->as_array().front();
  // Infinity is a valid event name but prints as null, which is not: socket.io-parser behaves the same.
  if (name.type() == sio::value::kind::number && !std::isfinite(name.as_number())) return;
  const auto encoded = sock::encode_event(p.nsp, *p.data, p.id);
  require(!encoded->text.empty() && encoded->text.front() == '4', "an encoded event is an Engine.IO message");
  sock::packet_decoder decoder(encoded->attachments.size() + 1);
  auto echoed = decoder.add_text(std::string_view(encoded->text).substr(1));
  for (const auto& attachment : encoded->attachments) {
    require(!echoed.has_value(), "a binary event waits for all its attachments");
    echoed = decoder.add_binary(attachment);
  }
  require(echoed.has_value(), "an encoded event decodes once its attachments arrived");
  require(echoed->nsp == p.nsp && echoed->id == p.id, "an echoed event keeps namespace and ack id");
  require(echoed->data.has_value() && sio::to_json(*echoed->data) == sio::to_json(*p.data),
          "an echoed event keeps its data");
}

// A decoder that only checks events (the server's: no listener reads them) refuses exactly what one that keeps them
// refuses, and passes on the same packet without the data.
void check_event_check_only(std::string_view text, const std::optional<sock::packet>& kept, bool kept_refused) {
  sock::packet_decoder checker(max_attachments, /*keep_event_data=*/false);
  std::optional<sock::packet> checked;
  bool checked_refused = false;
  try {
    checked = checker.add_text(text);
  } catch (const sock::decode_error&) {
    checked_refused = true;
  }
  require(checked_refused == kept_refused, "checking an event refuses what decoding it refuses");
  if (checked_refused) return;
  require(checked.has_value() == kept.has_value(), "checking an event completes where decoding does");
  if (!checked) return;
  require(checked->type == kept->type && checked->nsp == kept->nsp && checked->id == kept->id,
          "a checked event keeps type, namespace and ack id");
  require(checked->data.has_value() == (kept->type != sock::packet_type::event && kept->data.has_value()),
          "only a plain event's data is left out");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::optional<sock::packet_decoder> decoder(std::in_place, max_attachments);
  bool binary = false;
  bool awaiting_attachments = false;
  for (;;) {
    const std::size_t end = input.find_first_of(markers);
    const std::string_view message = input.substr(0, end);
    // A text message that starts a packet (no binary packet is waiting for attachments) is checked as the server's
    // check-only decoder would read it too.
    const bool fresh_text = !binary && !awaiting_attachments;
    std::optional<sock::packet> p;
    bool refused = false;
    try {
      p = binary ? decoder->add_binary(message) : decoder->add_text(message);
      if (p) {
        check_packet(*p);
        check_echo(*p);
      }
      awaiting_attachments = !p.has_value();
    } catch (const sock::decode_error&) {
      refused = true;
      awaiting_attachments = false;
      decoder.emplace(max_attachments);  // the server closes the connection; the next message is a new one's
    }
    if (fresh_text) check_event_check_only(message, p, refused);
    if (end == std::string_view::npos) break;
    binary = input[end] == binary_marker;
    input.remove_prefix(end + 1);
  }
  return 0;
}
