// The gateway's two ways to decide who a connecting client is (--auth trusted|jwt).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "auth/authenticator.hpp"

namespace sio::gateway::auth {

// Development only: believes the client's auth.userId (a non-empty string, or an integral number, written as
// JavaScript would: 42 -> "42"). A missing or invalid userId is refused.
std::unique_ptr<authenticator> make_trusted_authenticator();

struct jwt_options {
  std::string secret;              // the HS256 key, as bytes (from --jwt-secret or a key file)
  std::chrono::seconds leeway{0};  // clock skew allowed on exp and nbf
  // Seconds since the epoch; the system clock when empty (tests pass a fixed clock).
  std::function<std::int64_t()> now_seconds;
  // A token without `exp` is refused: a leaked one would work forever. false (--jwt-exp-optional) accepts one.
  bool require_exp = true;
};

// JSON Web Tokens signed with HS256 (and nothing else: "none", HS384, HS512, RS256... are refused). The token is
// auth.token, else an "Authorization: Bearer <token>" header of the handshake; its string `sub` is the user id;
// `exp` is required (unless !require_exp) and checked, `nbf` checked when present; a header or claims object
// that repeats a name is refused. Throws std::invalid_argument for an empty secret.
std::unique_ptr<authenticator> make_jwt_authenticator(jwt_options options);

}  // namespace sio::gateway::auth
