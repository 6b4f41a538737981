// Socket.IO v5 packets a client sends, decoded as socket.io-parser 4.2.7's Decoder does (PROTOCOL.md §7.7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sio/value.hpp"

namespace sio::gateway::socketio {

enum class packet_type : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

struct packet {
  packet_type type = packet_type::connect;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;  // the ack id; UINT64_MAX when the digits overflowed (matches nothing)
  std::optional<sio::value> data;   // absent when the packet had no JSON; binary placeholders already filled
};

// A packet a Node server's decoder refuses: the server closes the whole connection.
class decode_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One per Engine.IO connection: text packets, and for BINARY_EVENT/BINARY_ACK the binary messages that follow.
class packet_decoder {
 public:
  // `keep_event_data` false: an EVENT's payload is checked as socket.io-parser checks it (valid JSON, an array
  // whose first element is a number or a non-reserved event name) but not kept, `data` stays empty. For a server
  // with no listeners for client events, that check is all the work there is, without the allocations of building
  // the value: 4x cheaper for an event of 200,000 numbers, about the same for one long string (issue 24: one
  // client's 1 MB events must not hold the I/O thread; --max-inbound-rate bounds the rest).
  explicit packet_decoder(std::size_t max_attachments, bool keep_event_data = true)
      : max_attachments_(max_attachments), keep_event_data_(keep_event_data) {}

  // A complete packet, or nothing while a binary packet awaits its attachments. Throws decode_error.
  std::optional<packet> add_text(std::string_view text);
  std::optional<packet> add_binary(std::string_view bytes);

 private:
  std::size_t max_attachments_;
  bool keep_event_data_;
  std::optional<packet> pending_;  // a binary packet waiting for attachments
  std::size_t expected_attachments_ = 0;
  std::vector<sio::value> attachments_;
};

}  // namespace sio::gateway::socketio
