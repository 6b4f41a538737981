// The errors an Engine.IO server answers to a bad request (PROTOCOL.md §7.1), with engine.io's codes and messages.
#pragma once

#include <string>
#include <string_view>

namespace sio::gateway::engineio {

enum class protocol_error : int {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

// engine.io's Server.errorMessages, e.g. "Session ID unknown".
std::string_view error_message(protocol_error error);

// The JSON body of a refused HTTP request: {"code":1,"message":"Session ID unknown"} (Content-Type
// application/json, status 400, or 403 for `forbidden`).
std::string error_body(protocol_error error);

}  // namespace sio::gateway::engineio
