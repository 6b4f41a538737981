// A local Redis Cluster for tests: `masters` cluster-enabled redis-server children on loopback, the slots spread
// across them by `redis-cli --cluster create` as an operator would, ready (cluster_state:ok everywhere) when the
// constructor returns, gone when the object dies.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/redis_server.hpp"

namespace sio::test {

class redis_cluster {
 public:
  // `masters` masters and, with `replicas_per_master`, that many replicas of each (nodes after the masters, as
  // redis-cli --cluster create assigns them; which master each replicates is in CLUSTER NODES).
  explicit redis_cluster(int masters = 3, int replicas_per_master = 0);

  std::vector<std::unique_ptr<redis_server>>& nodes() noexcept { return nodes_; }
  redis_server& node(std::size_t i) { return *nodes_.at(i); }
  // redis://127.0.0.1:<port of the first node>, a seed a client discovers the others from.
  std::string seed_url() const;
  // The index of the node whose port is `port`, or -1.
  int index_of_port(int port) const noexcept;
  // Waits (up to 10 s) until every node reports cluster_state:ok and agrees on the slots; throws if not.
  void wait_until_ok() const;

  // Waits (up to 10 s) until every replica's link to its master is up (a replica that never synced cannot take
  // over); throws if not.
  void wait_until_replicas_synced() const;

  // The index of the master serving `key`'s slot (CLUSTER KEYSLOT and CLUSTER NODES as the first running node sees
  // them).
  std::size_t owner_of(const std::string& key) const;
  // Moves `slot` from node `from` to node `to` as redis-cli --cluster reshard does: IMPORTING / MIGRATING, MIGRATE
  // each of `keys`, then SETSLOT NODE on every node. `pause` runs after the first two steps, so that clients meet
  // each state of the slot.
  void move_slot(int slot, std::size_t from, std::size_t to, const std::vector<std::string>& keys,
                 const std::function<void()>& pause);
  // How many errors of `kind` ("MOVED", "ASK") node `i` has answered (INFO errorstats).
  long long errors_answered(std::size_t i, std::string_view kind) const;

 private:
  std::vector<std::unique_ptr<redis_server>> nodes_;
};

}  // namespace sio::test
