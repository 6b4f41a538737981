// The Engine.IO open packet (PROTOCOL.md §7.2), the first packet of every session.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace sio::gateway::engineio {

struct open_packet_fields {
  std::string_view sid;
  bool websocket_upgrade = true;  // "upgrades":["websocket"] for polling sessions, [] for WebSocket ones
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::size_t max_payload = 1000000;
};

// 0{"sid":"...","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
// in engine.io's key order.
std::string open_packet(const open_packet_fields& fields);

}  // namespace sio::gateway::engineio
