// Who is connecting: turns a Socket.IO CONNECT's auth payload into a user id, or a refusal (CONNECT_ERROR).
#pragma once

#include <string>
#include <variant>

#include "engineio/session.hpp"
#include "sio/value.hpp"

namespace sio::gateway::auth {

struct accepted {
  std::string user_id;  // the socket joins room "user:<user_id>"; empty: joins no user room
};
struct refused {
  std::string message;  // CONNECT_ERROR {"message": ...}, e.g. "invalid token: expired"
};
using decision = std::variant<accepted, refused>;

class authenticator {
 public:
  virtual ~authenticator() = default;
  // `auth` is the CONNECT payload (an object, {} when absent). Must not throw.
  virtual decision authenticate(const sio::value& auth, const engineio::handshake_info& handshake) const = 0;
};

}  // namespace sio::gateway::auth
