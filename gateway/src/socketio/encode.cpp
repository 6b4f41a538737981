// socket.io-parser 4.2.7's Encoder for what the gateway sends: data holding binary -> type 5 with deconstructPacket's
// placeholders, then JSON.stringify (PROTOCOL.md §6.5, §6.6, §7.7).
#include "socketio/encode.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "value/json_writer.hpp"

namespace sio::gateway::socketio {

namespace {

// JSON.stringify(deconstructPacket(v)): each Buffer, depth first in order, becomes {"_placeholder":true,"num":i}
// and attachment i. Everything else is written by the value layer's JSON.stringify.
void write_deconstructed(std::string& out, const sio::value& v, std::vector<std::string>& attachments) {
  switch (v.type()) {
    case sio::value::kind::binary: {
      const auto& bytes = v.as_binary().bytes;
      fmt::format_to(std::back_inserter(out), R"({{"_placeholder":true,"num":{}}})", attachments.size());
      attachments.emplace_back(bytes.begin(), bytes.end());
      break;
    }
    case sio::value::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : v.as_array()) {
        if (!first) out += ',';
        first = false;
        write_deconstructed(out, element, attachments);  // undefined is written as null, as in JSON.stringify
      }
      out += ']';
      break;
    }
    case sio::value::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : v.as_object()) {
        if (member.is_undefined()) continue;
        if (!first) out += ',';
        first = false;
        sio::detail::write_json_string(out, key);
        out += ':';
        write_deconstructed(out, member, attachments);
      }
      out += '}';
      break;
    }
    default: sio::detail::write_json(out, v); break;
  }
}

}  // namespace

std::shared_ptr<const outgoing_packet> encode_event(std::string_view nsp, const sio::value& data,
                                                    std::optional<std::uint64_t> ack_id) {
  auto packet = std::make_shared<outgoing_packet>();
  std::string body;
  // socket.io-parser writes the data only when it is not null/undefined.
  if (!data.is_null() && !data.is_undefined()) write_deconstructed(body, data, packet->attachments);

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
