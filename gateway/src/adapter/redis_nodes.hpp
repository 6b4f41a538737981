// Where the adapter's Redis connections go, for each deployment the library's publishers reach: one server; the
// master Sentinel names now (asked on every connect, so a failover is followed); or a Redis Cluster, where pub/sub
// (SUBSCRIBE, PSUBSCRIBE: Redis Cluster forwards PUBLISH to every node) goes through any node that answers, and a
// stream, a shard channel or a key to the master of its slot. The slot map comes from CLUSTER SLOTS (the library's
// ask_cluster_slots) and is asked again after invalidate(): a MOVED reply, a shard channel Redis unsubscribed (its
// slot moved), a lost node. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/redis/cluster_slots.hpp"
#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_url.hpp"

namespace sio::gateway::adapter {

// How /healthz and /metrics name the server a connection is on: host:port (IPv6 in brackets), or the socket's path.
std::string node_name(const sio::detail::redis_endpoint& endpoint);

class redis_nodes {
 public:
  redis_nodes(sio::detail::redis_endpoint endpoint, std::chrono::milliseconds timeout);

  const sio::detail::redis_endpoint& endpoint() const noexcept { return endpoint_; }
  bool cluster() const noexcept;

  // A connection for SUBSCRIBE and PSUBSCRIBE. Cluster: the nodes in turn (the seeds, then every node the slot map
  // lists), starting after the one that failed last. Throws what redis_connection throws (cluster: the first
  // node's failure, naming every node tried).
  std::unique_ptr<sio::detail::redis_connection> connect_any();
  // Cluster: a connection to the master of `key`'s slot (loading the slot map when there is none); otherwise as
  // connect_any(). A failure to reach the master invalidates the map.
  std::unique_ptr<sio::detail::redis_connection> connect_owner(std::string_view key);
  // Cluster: the master of `key`'s slot now (loads the map when there is none); otherwise nullopt.
  std::optional<sio::detail::redis_address> owner(std::string_view key);
  // Cluster: a connection to `node` (a master owner() named).
  std::unique_ptr<sio::detail::redis_connection> connect_to(const sio::detail::redis_address& node);
  // The slot map is asked again on next use.
  void invalidate();

 private:
  // mutex_ held: the slot map, loaded if needed.
  const sio::detail::cluster_topology& topology_locked();

  const sio::detail::redis_endpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::optional<sio::detail::cluster_topology> topology_;
  std::vector<sio::detail::redis_address> known_;  // seeds, then the nodes of every map loaded
  std::size_t next_any_ = 0;
};

}  // namespace sio::gateway::adapter
