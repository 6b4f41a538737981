// --auth trusted: the user id is whatever the client says in auth.userId (development and tests).
#include <cmath>
#include <string>

#include "auth/authenticators.hpp"
#include "sio/internal/value/json_writer.hpp"

namespace sio::gateway::auth {

namespace {

class trusted_authenticator final : public authenticator {
 public:
  decision authenticate(const sio::value& auth, const engineio::handshake_info& /*handshake*/) const override {
    const sio::value* user_id = auth.find("userId");
    if (user_id == nullptr || user_id->is_undefined() || user_id->is_null())
      return refused{"missing userId: connect with auth {userId: \"<id>\"}"};
    switch (user_id->type()) {
      case sio::value::kind::string:
        if (user_id->as_string().empty()) return refused{"invalid userId: empty string"};
        return accepted{user_id->as_string()};
      case sio::value::kind::number:
      case sio::value::kind::integer:
      case sio::value::kind::unsigned_integer: {
        const double n = user_id->as_number();
        if (!std::isfinite(n) || std::trunc(n) != n) return refused{"invalid userId: not an integer"};
        std::string text;
        sio::detail::write_json_number(text, n);  // `user:${userId}` in JavaScript
        return accepted{text};
      }
      default: return refused{"invalid userId: must be a string or an integer"};
    }
  }
};

}  // namespace

std::unique_ptr<authenticator> make_trusted_authenticator() { return std::make_unique<trusted_authenticator>(); }

}  // namespace sio::gateway::auth
