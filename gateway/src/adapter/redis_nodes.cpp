#include "adapter/redis_nodes.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "sio/error.hpp"
#include "sio/internal/redis/cluster_router.hpp"
#include "sio/internal/redis/sentinel.hpp"

namespace sio::gateway::adapter {

using sio::detail::redis_address;
using sio::detail::redis_connection;
using sio::detail::redis_endpoint;

std::string node_name(const redis_endpoint& endpoint) {
  if (endpoint.kind == redis_endpoint::transport::unix_socket) return endpoint.path;
  return redis_address{endpoint.host, endpoint.port}.text();
}

redis_nodes::redis_nodes(redis_endpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {
  known_ = endpoint_.nodes;
  if (known_.empty()) known_.push_back(redis_address{endpoint_.host, endpoint_.port});
}

bool redis_nodes::cluster() const noexcept { return endpoint_.topology == redis_endpoint::deployment::cluster; }

std::unique_ptr<redis_connection> redis_nodes::connect_any() {
  if (!cluster()) return sio::detail::connect_to(endpoint_, timeout_, timeout_);
  std::vector<redis_address> order;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < known_.size(); ++i) order.push_back(known_[(next_any_ + i) % known_.size()]);
  }
  std::string failures;
  std::optional<sio::redis_error> first;
  for (std::size_t i = 0; i < order.size(); ++i) {
    try {
      auto conn = std::make_unique<redis_connection>(endpoint_.at(order[i]), timeout_, timeout_);
      std::lock_guard lock(mutex_);
      // The next connect_any() starts here again while this node answers.
      const auto at = std::find(known_.begin(), known_.end(), order[i]);
      if (at != known_.end()) next_any_ = static_cast<std::size_t>(at - known_.begin());
      return conn;
    } catch (const sio::auth_error&) {
      throw;  // wrong on every node
    } catch (const sio::tls_error&) {
      throw;
    } catch (const sio::redis_error& e) {
      failures += fmt::format("{}{}: {}", failures.empty() ? "" : "; ", order[i].text(), e.what());
      if (!first) first = e;
    }
  }
  const auto message = fmt::format("no node of the Redis Cluster {} answered: {}", endpoint_.describe(), failures);
  if (first && first->code() == sio::errc::timeout) throw sio::timeout_error(message);
  throw sio::connection_error(message);
}

const sio::detail::cluster_topology& redis_nodes::topology_locked() {
  if (!topology_) {
    topology_ = sio::detail::ask_cluster_slots(endpoint_, known_, timeout_, timeout_);
    for (const auto& node : topology_->nodes()) {
      const redis_address address{node.host, node.port};
      if (std::find(known_.begin(), known_.end(), address) == known_.end()) known_.push_back(address);
    }
  }
  return *topology_;
}

std::optional<redis_address> redis_nodes::owner(std::string_view key) {
  if (!cluster()) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto& topology = topology_locked();
  const auto* master = topology.master_for(sio::detail::key_slot(key));
  if (master == nullptr) {
    topology_.reset();
    throw sio::connection_error(fmt::format("no master of the Redis Cluster {} serves the slot of {} (slot {})",
                                            endpoint_.describe(), key, sio::detail::key_slot(key)));
  }
  return redis_address{master->host, master->port};
}

std::unique_ptr<redis_connection> redis_nodes::connect_to(const redis_address& node) {
  try {
    return std::make_unique<redis_connection>(endpoint_.at(node), timeout_, timeout_);
  } catch (const sio::redis_error& e) {
    if (e.code() == sio::errc::connection || e.code() == sio::errc::timeout) invalidate();  // a failover, perhaps
    throw;
  }
}

std::unique_ptr<redis_connection> redis_nodes::connect_owner(std::string_view key) {
  if (!cluster()) return connect_any();
  return connect_to(*owner(key));
}

void redis_nodes::invalidate() {
  std::lock_guard lock(mutex_);
  topology_.reset();
}

}  // namespace sio::gateway::adapter
