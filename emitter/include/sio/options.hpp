// sio/options.hpp: how an Emitter reaches Redis and which channels it publishes on.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sio {

struct Options {
  // redis://[user[:password]@]host[:port][/db] or unix:///path/to/redis.sock[?db=N]. Percent-escapes are
  // decoded in the user and password. Host may be a name, an IPv4 address or a bracketed IPv6 address.
  std::string redis_url = "redis://127.0.0.1:6379";

  // The channel prefix; must equal the `key` option of the servers' createAdapter().
  std::string key = "socket.io";

  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{5000};
  // How long a request that asks the servers (emit_confirmed, fetchSockets, ...) waits for their answers; the
  // Node adapter's requestsTimeout default.
  std::chrono::milliseconds request_timeout{5000};

  // Override the credentials in redis_url (for secrets kept out of URLs). A password without a username
  // authenticates as the default user.
  std::optional<std::string> username{};
  std::optional<std::string> password{};

  // Encode and validate every call but never connect: results carry the channel and payload, no receivers.
  bool dry_run = false;
};

}  // namespace sio
