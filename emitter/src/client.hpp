// The state an Emitter and everything made from it share: the options and one pipelined Redis connection
// (opened on first use, reopened after a failure), or one per master of a Redis Cluster, usable from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "sio/internal/protocol/operation.hpp"
#include "sio/internal/redis/cluster_router.hpp"
#include "sio/internal/redis/redis_pipeline.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/options.hpp"
#include "sio/outcome.hpp"

namespace sio::detail {

class client {
 public:
  // Validates the options and parses the URL; throws sio::data_error.
  explicit client(Options options);

  const Options& options() const noexcept { return options_; }
  // Where Redis is (the URL with the options' credentials), for connections of requests (server_request.hpp).
  const redis_endpoint& endpoint() const noexcept { return endpoint_; }
  // This emitter's requester uid, and a fresh id for each request (PROTOCOL.md §8.1): distinct from Node's 6-char
  // ids, from other emitters' and from other processes'. Placeholders in dry-run mode, so its output is stable.
  const std::string& uid() const noexcept { return uid_; }
  std::string next_request_id();

  void connect();
  // Queues the command and returns at once; `done` (optional) gets the outcome on the I/O thread.
  void publish_async(const command& cmd, Completion done = {});
  // Queues the command and waits for its reply: the receivers count (PUBLISH, SPUBLISH) or the entry id (XADD).
  // Throws sio::redis_error.
  struct reply_of_publish {
    long long receivers = 0;
    std::string offset;
    bool receivers_known = true;  // false for PUBLISH on a Redis Cluster: its reply counts one node's subscribers
  };
  reply_of_publish publish(const command& cmd);
  // Waits for everything queued so far; throws the first unreported failure or sio::timeout_error.
  void flush(std::chrono::milliseconds timeout);
  pipeline_counters counters() const;

 private:
  Options options_;
  redis_endpoint endpoint_;
  std::string uid_;
  std::atomic<std::uint64_t> requests_made_{0};
  std::unique_ptr<redis_pipeline> pipeline_;  // one server; null in dry-run mode and for a cluster
  std::unique_ptr<cluster_router> router_;    // a Redis Cluster (redis+cluster://); null otherwise
};

}  // namespace sio::detail
