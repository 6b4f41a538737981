#include "engineio/open_packet.hpp"

#include <fmt/format.h>

namespace sio::gateway::engineio {

std::string open_packet(const open_packet_fields& fields) {
  // The sid is a base64id (URL-safe base64 characters): nothing to escape in JSON.
  return fmt::format(R"(0{{"sid":"{}","upgrades":{},"pingInterval":{},"pingTimeout":{},"maxPayload":{}}})",
                     fields.sid, fields.websocket_upgrade ? R"(["websocket"])" : "[]",
                     fields.ping_interval.count(), fields.ping_timeout.count(), fields.max_payload);
}

}  // namespace sio::gateway::engineio
