#include "engineio/protocol_error.hpp"

#include <fmt/format.h>

namespace sio::gateway::engineio {

std::string_view error_message(protocol_error error) {
  switch (error) {
    case protocol_error::unknown_transport: return "Transport unknown";
    case protocol_error::unknown_sid: return "Session ID unknown";
    case protocol_error::bad_handshake_method: return "Bad handshake method";
    case protocol_error::bad_request: return "Bad request";
    case protocol_error::forbidden: return "Forbidden";
    case protocol_error::unsupported_protocol_version: return "Unsupported protocol version";
  }
  return "Bad request";
}

std::string error_body(protocol_error error) {
  // The messages are fixed ASCII without quotes or backslashes: no JSON escaping needed.
  return fmt::format(R"({{"code":{},"message":"{}"}})", static_cast<int>(error), error_message(error));
}

}  // namespace sio::gateway::engineio
