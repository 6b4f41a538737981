// socket.io-parser 4.2.7's Encoder for what the gateway sends: data holding binary -> type 5 with deconstructPacket's
// placeholders, then JSON.stringify (PROTOCOL.md §6.5, §6.6, §7.7).
#include "socketio/encode.hpp"

#include <string>

#include <fmt/format.h>

#include "sio/internal/value/json_writer.hpp"

namespace sio::gateway::socketio {

std::shared_ptr<const outgoing_packet> encode_event(std::string_view nsp, const sio::value& data,
                                                    std::optional<std::uint64_t> ack_id) {
  auto packet = std::make_shared<outgoing_packet>();
  std::string body;
  // socket.io-parser writes the data only when it is not null/undefined.
  // deconstructPacket: each Buffer, depth first in order, becomes {"_placeholder":true,"num":i} and attachment i.
  if (!data.is_null() && !data.is_undefined()) {
    sio::detail::write_json(body, data, [&attachments = packet->attachments](std::string& out, const sio::binary& b) {
      fmt::format_to(std::back_inserter(out), R"({{"_placeholder":true,"num":{}}})", attachments.size());
      attachments.emplace_back(b.bytes.begin(), b.bytes.end());
    });
  }

  std::string& text = packet->text;
  text.assign(1, '4');  // not `= "4"`: GCC 12 -O2 reports a false -Wrestrict there
  if (packet->attachments.empty()) {
    text += '2';
  } else {
    fmt::format_to(std::back_inserter(text), "5{}-", packet->attachments.size());
  }
  if (nsp != "/") {
    text += nsp;
    text += ',';
  }
  if (ack_id) fmt::format_to(std::back_inserter(text), "{}", *ack_id);
  text += body;
  return packet;
}

}  // namespace sio::gateway::socketio
