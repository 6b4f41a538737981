// A local Redis Cluster for tests: `masters` cluster-enabled redis-server children on loopback, the slots spread
// across them by `redis-cli --cluster create` as an operator would, ready (cluster_state:ok everywhere) when the
// constructor returns, gone when the object dies.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

namespace sio::test {

class redis_cluster {
 public:
  explicit redis_cluster(int masters = 3);

  std::vector<std::unique_ptr<redis_server>>& nodes() noexcept { return nodes_; }
  redis_server& node(std::size_t i) { return *nodes_.at(i); }
  // redis://127.0.0.1:<port of the first node>, a seed a client discovers the others from.
  std::string seed_url() const;
  // The index of the node whose port is `port`, or -1.
  int index_of_port(int port) const noexcept;
  // Waits (up to 10 s) until every node reports cluster_state:ok and agrees on the slots; throws if not.
  void wait_until_ok() const;

 private:
  std::vector<std::unique_ptr<redis_server>> nodes_;
};

}  // namespace sio::test
