// Redis Cluster slot arithmetic and replies. Expected slots are what a real redis-server 7.0 (cluster-enabled)
// answered to CLUSTER KEYSLOT for the same keys.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sio/internal/redis/cluster_slots.hpp"
#include "sio/error.hpp"

using sio::detail::cluster_redirect;
using sio::detail::cluster_topology;
using sio::detail::key_slot;
using sio::detail::parse_redirect;
using sio::detail::redis_reply;

namespace {

redis_reply integer(long long n) {
  redis_reply r;
  r.kind = redis_reply::type::integer;
  r.integer = n;
  return r;
}

redis_reply string(std::string s) {
  redis_reply r;
  r.kind = redis_reply::type::string;
  r.text = std::move(s);
  return r;
}

redis_reply array(std::vector<redis_reply> elements) {
  redis_reply r;
  r.kind = redis_reply::type::array;
  r.elements = std::move(elements);
  return r;
}

// A Redis 7 node entry: [host, port, id, {extra networking metadata}].
redis_reply node(const std::string& host, int port, const std::string& id) {
  return array({string(host), integer(port), string(id), array({})});
}

}  // namespace

TEST_CASE("cluster: key slots as CLUSTER KEYSLOT computes them, hash tags included") {
  CHECK(key_slot("foo") == 12182);
  CHECK(key_slot("bar") == 5061);
  CHECK(key_slot("") == 0);
  CHECK(key_slot("123456789") == 12739);
  CHECK(key_slot("user:42") == 15880);
  CHECK(key_slot("{user1000}.following") == 3443);
  CHECK(key_slot("{user1000}.followers") == 3443);
  CHECK(key_slot("foo{}{bar}") == 8363);     // an empty tag does not count: the whole key is hashed
  CHECK(key_slot("foo{{bar}}zap") == 4015);  // the tag is "{bar"
  CHECK(key_slot("foo{bar}{zap}") == 5061);  // the first tag: "bar"
  CHECK(key_slot("{") == 4092);
  CHECK(key_slot("}{") == 12793);
  CHECK(key_slot("\xc3\xa9\xf0\x9f\x98\x80") == 14663);  // bytes, not characters
  CHECK(key_slot("socket.io#/#") == 13868);
  CHECK(key_slot("socket.io#/#user:42#") == 12566);
  CHECK(key_slot("socket.io#/#user:{42}#") == 8000);
}

TEST_CASE("cluster: the topology from CLUSTER SLOTS maps every slot to its master") {
  const auto reply = array({
      array({integer(5461), integer(10922), node("127.0.0.1", 7001, "b"), node("127.0.0.1", 7004, "e")}),
      array({integer(0), integer(5460), node("127.0.0.1", 7000, "a"), node("127.0.0.1", 7003, "d")}),
      array({integer(10923), integer(16383), node("", 7002, "c")}),
  });
  const auto topology = cluster_topology::from_cluster_slots(reply, "10.0.0.9");
  REQUIRE(topology.master_for(0) != nullptr);
  CHECK(topology.master_for(0)->text() == "127.0.0.1:7000");
  CHECK(topology.master_for(5460)->port == 7000);
  CHECK(topology.master_for(5461)->port == 7001);
  CHECK(topology.master_for(10922)->id == "b");
  CHECK(topology.master_for(16383)->text() == "10.0.0.9:7002");  // an empty host: where the reply came from
  CHECK(topology.master_for(16384) == nullptr);
  CHECK(topology.masters().size() == 3);
  CHECK(topology.masters().front().port == 7000);

  // A cluster still being set up leaves holes.
  const auto partial = cluster_topology::from_cluster_slots(
      array({array({integer(100), integer(200), node("h", 1, "x")})}), "seed");
  CHECK(partial.master_for(99) == nullptr);
  CHECK(partial.master_for(150)->host == "h");
  CHECK(partial.master_for(201) == nullptr);
  CHECK(cluster_topology::from_cluster_slots(array({}), "seed").master_for(0) == nullptr);
}

TEST_CASE("cluster: a CLUSTER SLOTS reply of another shape is a protocol error") {
  const auto code_of = [](const redis_reply& reply) {
    try {
      (void)cluster_topology::from_cluster_slots(reply, "seed");
    } catch (const sio::redis_error& e) {
      return e.code();
    }
    return sio::errc::ok;
  };
  CHECK(code_of(string("nope")) == sio::errc::protocol);
  CHECK(code_of(array({array({integer(0), integer(1)})})) == sio::errc::protocol);
  CHECK(code_of(array({array({integer(0), integer(16384), node("h", 1, "x")})})) == sio::errc::protocol);
  CHECK(code_of(array({array({integer(5), integer(4), node("h", 1, "x")})})) == sio::errc::protocol);
  CHECK(code_of(array({array({integer(0), integer(1), array({integer(1), string("h")})})})) == sio::errc::protocol);
  CHECK(code_of(array({array({integer(0), integer(100), node("h", 1, "x")}),
                       array({integer(10), integer(20), node("h", 2, "y")})})) == sio::errc::protocol);
}

TEST_CASE("cluster: MOVED and ASK redirections") {
  const auto moved = parse_redirect("MOVED 3999 127.0.0.1:6381", "ignored");
  REQUIRE(moved);
  CHECK(moved->type == cluster_redirect::kind::moved);
  CHECK(moved->slot == 3999);
  CHECK(moved->node.text() == "127.0.0.1:6381");
  const auto ask = parse_redirect("ASK 12566 10.1.2.3:7002", "ignored");
  REQUIRE(ask);
  CHECK(ask->type == cluster_redirect::kind::ask);
  CHECK(ask->node.host == "10.1.2.3");
  const auto v6 = parse_redirect("MOVED 1 ::1:7000", "ignored");
  REQUIRE(v6);
  CHECK(v6->node.host == "::1");
  CHECK(v6->node.text() == "[::1]:7000");
  const auto same_host = parse_redirect("MOVED 2 :7005", "redis-a.internal");
  REQUIRE(same_host);
  CHECK(same_host->node.text() == "redis-a.internal:7005");
  CHECK_FALSE(parse_redirect("ERR unknown command", "h"));
  CHECK_FALSE(parse_redirect("MOVED", "h"));
  CHECK_FALSE(parse_redirect("MOVED x h:1", "h"));
  CHECK_FALSE(parse_redirect("MOVED 16384 h:1", "h"));
  CHECK_FALSE(parse_redirect("MOVED 1 h:port", "h"));
  CHECK_FALSE(parse_redirect("MOVEDX 1 h:1", "h"));
}
