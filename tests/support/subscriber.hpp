// A raw hiredis subscriber (patterns or plain channels): sees exactly the bytes Redis delivers, independent of the
// code under test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

struct redisContext;

namespace sio::test {

class redis_server;

struct pubsub_message {
  std::string pattern;
  std::string channel;
  std::string payload;  // binary-safe
};

class subscriber {
 public:
  enum class mode { patterns, channels, shard_channels };
  // PSUBSCRIBEs to the patterns (SUBSCRIBEs to the channels, SSUBSCRIBEs to shard channels; binary-safe) and returns once Redis confirmed every
  // one, so a PUBLISH issued afterwards is seen. Authenticates with the server's --requirepass, if any. Plain
  // channel subscribers count in PUBSUB NUMSUB (they are "servers" to a requester); patterns do not.
  subscriber(const redis_server& server, const std::vector<std::string>& names, mode how = mode::patterns);
  ~subscriber();
  subscriber(const subscriber&) = delete;
  subscriber& operator=(const subscriber&) = delete;

  // The next message (pattern empty for a channel subscription), or nothing if none arrives within the timeout. Never blocks longer.
  std::optional<pubsub_message> next_message(std::chrono::milliseconds timeout);

 private:
  redisContext* ctx_ = nullptr;
};

}  // namespace sio::test
