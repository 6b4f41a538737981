// Redis Cluster's key space as a client sees it: which of the 16384 hash slots a key or shard channel falls in,
// which master serves each slot (CLUSTER SLOTS), and the MOVED / ASK redirections a node answers with when
// the slot is elsewhere. Pure functions over strings and replies: the connections are someone else's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/redis/redis_connection.hpp"

namespace sio::detail {

inline constexpr int cluster_slot_count = 16384;

// CRC16 (XMODEM) of the key's hash tag, or of the whole key when it has none, mod 16384: CLUSTER KEYSLOT. The hash
// tag is what lies between the first '{' and the first '}' after it, when that is not empty, so that
// "user:{42}" and "socket.io#/#user:{42}#" land in the same slot.
int key_slot(std::string_view key) noexcept;

// A node's address (text(): host:port, IPv6 in brackets) and its id.
struct cluster_node : redis_address {
  std::string id;  // empty when the reply did not say

  friend bool operator==(const cluster_node&, const cluster_node&) = default;
};

struct slot_range {
  int first = 0;
  int last = 0;  // inclusive
  cluster_node master;
  std::vector<cluster_node> replicas;  // as CLUSTER SLOTS lists them after the master
};

class cluster_topology {
 public:
  // From a CLUSTER SLOTS reply. A node whose address the reply leaves empty or "?" (a node that does not know its
  // own address) is reached at `seed_host`, the address the reply came from. Throws sio::redis_error
  // (errc::protocol) for a reply of another shape, or with overlapping ranges.
  static cluster_topology from_cluster_slots(const redis_reply& reply, std::string_view seed_host);

  // The master serving `slot`, or nullptr for a slot no range covers (a cluster still being set up).
  const cluster_node* master_for(int slot) const noexcept;
  // Every master once, in the order of their first range.
  std::vector<cluster_node> masters() const;
  // Every node once, masters and replicas: where a client may have subscribed (PUBSUB counts are per node).
  std::vector<cluster_node> nodes() const;
  const std::vector<slot_range>& ranges() const noexcept { return ranges_; }

 private:
  std::vector<slot_range> ranges_;  // sorted by first slot
};

// "MOVED 3999 127.0.0.1:6381" (the slot lives elsewhere now: update the topology) or "ASK 3999 127.0.0.1:6381"
// (it is migrating: send this one command there, after ASKING). An empty host (":6381") means the host of the node
// that answered, which the caller passes as `current_host`. nullopt for any other error text.
struct cluster_redirect {
  enum class kind { moved, ask };
  kind type = kind::moved;
  int slot = 0;
  cluster_node node;
};
std::optional<cluster_redirect> parse_redirect(std::string_view error_text, std::string_view current_host);

}  // namespace sio::detail
