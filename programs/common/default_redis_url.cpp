#include "common/default_redis_url.hpp"

namespace sio::programs {

std::string name_default_redis_url(std::string_view message) {
  constexpr std::string_view how = "give --redis URL or set REDIS_URL";
  std::string named(message);
  auto at = named.find(default_redis_url);
  if (at == std::string::npos)
    return named + " (the Redis URL is the default, " + std::string(default_redis_url) + ": " + std::string(how) + ")";
  at += default_redis_url.size();
  // The library writes the endpoint with its database: "redis://127.0.0.1:6379/0".
  if (at < named.size() && named[at] == '/')
    for (++at; at < named.size() && named[at] >= '0' && named[at] <= '9';) ++at;
  named.insert(at, " (the default: " + std::string(how) + ")");
  return named;
}

}  // namespace sio::programs
