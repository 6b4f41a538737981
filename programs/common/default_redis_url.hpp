// The Redis URL sio's programs use when neither --redis nor REDIS_URL gives one, and how their messages call it:
// a connection that fails there must say the URL was not the user's choice, and how to make one.
//
//   cannot connect to Redis at redis://127.0.0.1:6379/0 (the default: give --redis URL or set REDIS_URL): Connection
//   refused
#pragma once

#include <string>
#include <string_view>

namespace sio::programs {

inline constexpr std::string_view default_redis_url = "redis://127.0.0.1:6379";

// `message` (the library's, e.g. "cannot connect to Redis at redis://127.0.0.1:6379/0: Connection refused") with
// the note after the URL's first mention, or at the end when it does not mention it.
std::string name_default_redis_url(std::string_view message);

}  // namespace sio::programs
