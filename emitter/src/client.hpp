// The state an Emitter and everything made from it share: the options, and one Redis connection opened on
// first use, reopened after an I/O failure, and guarded by a mutex so handles may be used from any thread.
#pragma once

#include <memory>
#include <mutex>

#include "codec/operation.hpp"
#include "redis/redis_connection.hpp"
#include "sio/options.hpp"

namespace sio::detail {

class client {
 public:
  // Validates the options and parses the URL; throws sio::data_error.
  explicit client(Options options);

  const Options& options() const noexcept { return options_; }

  void connect();
  // Sends the command and returns Redis' integer reply. Throws sio::redis_error.
  long long publish(const command& cmd);

 private:
  redis_connection& connection();  // with mutex_ held

  Options options_;
  redis_endpoint endpoint_;
  std::mutex mutex_;
  std::unique_ptr<redis_connection> connection_;
};

}  // namespace sio::detail
