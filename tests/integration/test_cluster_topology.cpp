// The cluster slot pieces against a real 3-master Redis Cluster (redis-cli --cluster create): the topology from
// CLUSTER SLOTS routes each shard channel to the master that accepts it, the others answer MOVED to that master,
// and a slot being migrated answers ASK.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>

#include "sio/internal/redis/cluster_slots.hpp"
#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "support/redis_cluster.hpp"

using namespace std::chrono_literals;
using sio::detail::cluster_redirect;
using sio::detail::cluster_topology;
using sio::detail::key_slot;
using sio::detail::redis_command;
using sio::detail::redis_connection;
using sio::detail::redis_reply;

namespace {

redis_connection connect(const sio::test::redis_server& node) {
  return redis_connection(sio::detail::parse_redis_url(node.url()), 2000ms, 2000ms);
}

redis_reply run(redis_connection& c, const redis_command& command) { return c.pipeline(std::span(&command, 1)).front(); }

}  // namespace

TEST_CASE("cluster: the topology routes shard channels to the master that takes them, the others say MOVED") {
  sio::test::redis_cluster cluster(3);
  auto seed = connect(cluster.node(0));
  const auto topology = cluster_topology::from_cluster_slots(run(seed, {"CLUSTER", "SLOTS"}), "127.0.0.1");
  REQUIRE(topology.masters().size() == 3);

  // Rooms whose channels land on every master, as a sharded publisher must reach them.
  std::set<int> masters_reached;
  for (int user = 0; user < 200 && masters_reached.size() < 3; ++user) {
    const auto channel = "socket.io#/#user:" + std::to_string(user) + "#";
    const int slot = key_slot(channel);
    const auto* owner = topology.master_for(slot);
    REQUIRE(owner != nullptr);
    const int owner_index = cluster.index_of_port(owner->port);
    REQUIRE(owner_index >= 0);
    CHECK(cluster.node(static_cast<std::size_t>(owner_index)).command({"CLUSTER", "KEYSLOT", channel}) ==
          std::to_string(slot));
    masters_reached.insert(owner_index);

    auto on_owner = connect(cluster.node(static_cast<std::size_t>(owner_index)));
    const auto accepted = run(on_owner, {"SPUBLISH", channel, "x"});
    CHECK(accepted.kind == redis_reply::type::integer);

    const auto other_index = static_cast<std::size_t>((owner_index + 1) % 3);
    auto on_other = connect(cluster.node(other_index));
    const auto refused = run(on_other, {"SPUBLISH", channel, "x"});
    REQUIRE(refused.kind == redis_reply::type::error);
    const auto redirect = sio::detail::parse_redirect(refused.text, "127.0.0.1");
    REQUIRE(redirect);
    CHECK(redirect->type == cluster_redirect::kind::moved);
    CHECK(redirect->slot == slot);
    CHECK(redirect->node.port == owner->port);
  }
  CHECK(masters_reached.size() == 3);
}

TEST_CASE("cluster: a slot being migrated answers ASK for a key already moved") {
  sio::test::redis_cluster cluster(3);
  auto seed = connect(cluster.node(0));
  const auto topology = cluster_topology::from_cluster_slots(run(seed, {"CLUSTER", "SLOTS"}), "127.0.0.1");
  const std::string key = "socket.io";  // the streams adapter's stream name
  const int slot = key_slot(key);
  const int source = cluster.index_of_port(topology.master_for(slot)->port);
  const int target = (source + 1) % 3;
  auto& from = cluster.node(static_cast<std::size_t>(source));
  auto& to = cluster.node(static_cast<std::size_t>(target));
  const auto from_id = from.command({"CLUSTER", "MYID"});
  const auto to_id = to.command({"CLUSTER", "MYID"});
  to.command({"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", from_id});
  from.command({"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", to_id});
  // While migrating, a key that is not (or no longer) on the source is asked for on the target.
  auto on_source = connect(from);
  const auto reply = run(on_source, {"XADD", key, "*", "f", "v"});
  REQUIRE(reply.kind == redis_reply::type::error);
  const auto redirect = sio::detail::parse_redirect(reply.text, "127.0.0.1");
  REQUIRE(redirect);
  CHECK(redirect->type == cluster_redirect::kind::ask);
  CHECK(redirect->slot == slot);
  CHECK(redirect->node.port == to.port());
  // ASKING then the command, on the target, is accepted: what a client does with an ASK.
  auto on_target = connect(to);
  const redis_command asking{"ASKING"};
  const redis_command xadd{"XADD", key, "*", "f", "v"};
  const std::vector<redis_command> both{asking, xadd};
  const auto replies = on_target.pipeline(both);
  CHECK(replies.at(0).kind == redis_reply::type::status);
  CHECK(replies.at(1).kind == redis_reply::type::string);  // the entry id
}
