// The state an Emitter and everything made from it share: the options and one pipelined Redis connection
// (opened on first use, reopened after a failure), usable from any thread.
#pragma once

#include <chrono>
#include <memory>

#include "codec/operation.hpp"
#include "redis/redis_pipeline.hpp"
#include "sio/options.hpp"

namespace sio::detail {

class client {
 public:
  // Validates the options and parses the URL; throws sio::data_error.
  explicit client(Options options);

  const Options& options() const noexcept { return options_; }

  void connect();
  // Queues the command and returns at once; `done` (optional) gets the outcome on the I/O thread.
  void publish_async(const command& cmd, Completion done = {});
  // Queues the command and waits for its reply: the receivers count. Throws sio::redis_error.
  long long publish(const command& cmd);
  // Waits for everything queued so far; throws the first unreported failure or sio::timeout_error.
  void flush(std::chrono::milliseconds timeout);
  pipeline_counters counters() const;

 private:
  Options options_;
  std::unique_ptr<redis_pipeline> pipeline_;  // null in dry-run mode
};

}  // namespace sio::detail
