#include "app/token.hpp"

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <jwt.h>

namespace sio::gateway::app {

std::string mint_token(const std::string& user_id, const std::string& secret, std::chrono::seconds ttl,
                       std::chrono::system_clock::time_point now) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error{"cannot create a JWT (out of memory)"};
  const std::unique_ptr<jwt_t, decltype(&jwt_free)> token{raw, &jwt_free};
  const long iat = static_cast<long>(std::chrono::system_clock::to_time_t(now));
  if (jwt_add_grant(token.get(), "sub", user_id.c_str()) != 0 || jwt_add_grant_int(token.get(), "iat", iat) != 0 ||
      jwt_add_grant_int(token.get(), "exp", iat + static_cast<long>(ttl.count())) != 0) {
    throw std::runtime_error{"cannot add the claims to the JWT"};
  }
  // libjwt takes the key as bytes with a length: secrets need not be NUL-free text.
  if (jwt_set_alg(token.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    throw std::runtime_error{"cannot set the JWT's HS256 key"};
  }
  const std::unique_ptr<char, decltype(&std::free)> encoded{jwt_encode_str(token.get()), &std::free};
  if (!encoded) throw std::runtime_error{"cannot sign the JWT"};
  return std::string{encoded.get()};
}

}  // namespace sio::gateway::app
