// One Redis connection in subscriber mode: PSUBSCRIBE/SUBSCRIBE/SSUBSCRIBE, then messages read with a deadline and a wake
// fd, so a wait can time out or be woken without breaking the connection. It rides on the emitter's
// redis_connection, so rediss:// (TLS) works here as it does for publishing. Not thread-safe: one thread owns it.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_url.hpp"

namespace sio::gateway::adapter {

struct pubsub_message {
  std::string pattern;  // the PSUBSCRIBE pattern it matched; empty for SUBSCRIBE and SSUBSCRIBE channels
  std::string channel;
  std::string payload;  // raw bytes
};

class redis_subscriber {
 public:
  // Subscribes on `connection` (connected and authenticated: redis_nodes); returns once Redis confirmed every
  // subscription. Throws sio::connection_error, sio::timeout_error or the library's class for an error reply,
  // naming the endpoint.
  // `shard_channels`: SSUBSCRIBEd one by one (sharded pub/sub, Redis >= 7).
  redis_subscriber(std::unique_ptr<sio::detail::redis_connection> connection, std::chrono::milliseconds timeout,
                   const std::vector<std::string>& patterns, const std::vector<std::string>& channels,
                   const std::vector<std::string>& shard_channels = {});
  ~redis_subscriber();
  redis_subscriber(const redis_subscriber&) = delete;
  redis_subscriber& operator=(const redis_subscriber&) = delete;

  // The next message, waiting at most `wait`; nullopt on timeout, when `wake_fd` (if >= 0) became readable, or
  // when Redis unsubscribed a shard channel (take_lost_shard_channels()).
  // Throws sio::connection_error when the connection is lost, the library's class for an error reply (auth_error
  // for NOAUTH, WRONGPASS, NOPERM; else reply_error).
  std::optional<pubsub_message> next(std::chrono::milliseconds wait, int wake_fd = -1);

  // SSUBSCRIBE / SUNSUBSCRIBE one shard channel while messages are being read: sent at once, not waited for (the
  // confirmations are skipped as they come; an error reply throws from next()). Throws sio::connection_error.
  void shard_subscribe(const std::string& channel);
  void shard_unsubscribe(const std::string& channel);

  // PUNSUBSCRIBE, UNSUBSCRIBE and SUNSUBSCRIBE, best effort (the connection is closed right after anyway).
  void unsubscribe() noexcept;

  // The shard channels Redis unsubscribed by itself since the last call (a `sunsubscribe` push for a channel this
  // subscriber still wanted: in a Redis Cluster, its slot moved to another node, where it must be subscribed again).
  std::vector<std::string> take_lost_shard_channels();
  bool holds_shard_channel(const std::string& channel) const { return shard_channels_.contains(channel); }
  bool lost_shard_channels() const noexcept { return !lost_.empty(); }
  // The server this subscriber is on (host:port, or the socket path) and how many channels and patterns it holds.
  std::string node() const;
  std::size_t subscriptions() const noexcept { return plain_subscriptions_ + shard_channels_.size(); }
  // For waiting on several subscribers at once: the socket to poll once next(0 ms) found nothing (it reads until
  // the socket would block, so nothing parsed or buffered by TLS is left behind).
  int fd() const noexcept;
 private:
  // One pushed reply if one arrives before `deadline`; messages are queued, confirmations counted. Returns false
  // on timeout/wake.
  bool read_one(std::chrono::steady_clock::time_point deadline, int wake_fd);

  sio::detail::redis_endpoint endpoint_;
  std::unique_ptr<sio::detail::redis_connection> connection_;
  std::deque<pubsub_message> pending_;
  std::size_t confirmations_ = 0;
  std::string subscribing_;  // "PSUBSCRIBE <first pattern>": what an error reply is reported against
  bool sharded_ = false;     // some SSUBSCRIBE was sent (SUNSUBSCRIBE is unknown before Redis 7)
  std::set<std::string> shard_channels_;  // SSUBSCRIBEd and not SUNSUBSCRIBEd by us
  std::size_t plain_subscriptions_ = 0;   // patterns and channels
  std::vector<std::string> lost_;
};

}  // namespace sio::gateway::adapter
