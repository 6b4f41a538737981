// `sio-gateway token`: an HS256 JWT {sub, iat, exp} signed with libjwt (token.cpp), for the demo and for developers.
#pragma once

#include <chrono>
#include <string>

namespace sio::gateway::app {

std::string mint_token(const std::string& user_id, const std::string& secret, std::chrono::seconds ttl,
                       std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace sio::gateway::app
