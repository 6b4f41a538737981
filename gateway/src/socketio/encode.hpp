// Socket.IO v5 packets the gateway sends, encoded as socket.io-parser 4.2.7 does (PROTOCOL.md §6.5, §6.6, §7.7):
// JSON.stringify of the decoded msgpack value, binary replaced by {"_placeholder":true,"num":i} placeholders.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "engineio/session.hpp"
#include "sio/value.hpp"

namespace sio::gateway::socketio {

// An EVENT (2) for `data` (the array [event, ...args] as a Node server decoded it), or a BINARY_EVENT (5) when it
// holds binary; `nsp` is written only when it is not "/". data is written as given, even when a client will
// reject it (not an array, reserved event name): a Node server sends the same and its clients then disconnect
// with "parse error". Result text includes the Engine.IO "4".
std::shared_ptr<const outgoing_packet> encode_event(std::string_view nsp, const sio::value& data,
                                                    std::optional<std::uint64_t> ack_id = std::nullopt);

}  // namespace sio::gateway::socketio
