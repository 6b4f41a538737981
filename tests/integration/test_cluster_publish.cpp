// The public Emitter on a real 3-master Redis Cluster (redis+cluster:// with seed nodes): sharded publishes reach
// rooms on every master, streams entries land on the master owning each stream, classic PUBLISH goes through any
// node, and a slot resharded during a stream of publishes (ASK while its keys move, MOVED after) loses nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sio/internal/redis/cluster_slots.hpp"
#include "sio/emitter.hpp"
#include "support/redis_cluster.hpp"
#include "support/subscriber.hpp"
#include "support/test_values.hpp"

using namespace std::chrono_literals;
using sio::detail::key_slot;

namespace {

// Two of the three nodes as seeds: the third is found through CLUSTER SLOTS.
std::string cluster_url(sio::test::redis_cluster& cluster) {
  return "redis+cluster://127.0.0.1:" + std::to_string(cluster.node(0).port()) +
         ",127.0.0.1:" + std::to_string(cluster.node(1).port());
}

sio::Options options_for(sio::test::redis_cluster& cluster, sio::Options::adapter_mode mode) {
  sio::Options o;
  o.redis_url = cluster_url(cluster);
  o.connect_timeout = 2000ms;
  o.command_timeout = 5000ms;
  o.mode = mode;
  return o;
}

// One room per master: "user:N" whose room channel hashes to that master.
std::vector<std::string> one_room_per_master(sio::test::redis_cluster& cluster) {
  std::map<std::size_t, std::string> rooms;
  for (int user = 0; rooms.size() < 3 && user < 500; ++user) {
    const auto room = "user:" + std::to_string(user);
    rooms.emplace(cluster.owner_of("socket.io#/#" + room + "#"), room);
  }
  REQUIRE(rooms.size() == 3);
  return {rooms[0], rooms[1], rooms[2]};
}

struct outcome_tally {
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::mutex mutex;
  std::string first_failure;

  sio::Completion completion() {
    return [this](const sio::Outcome& outcome) {
      if (outcome.ok()) {
        ++ok;
        return;
      }
      std::lock_guard lock(mutex);
      if (failed++ == 0) first_failure = outcome.message;
    };
  }
};

}  // namespace

TEST_CASE("cluster: sharded emits reach rooms on every master, the seeds being two of the three") {
  sio::test::redis_cluster cluster(3);
  const auto rooms = one_room_per_master(cluster);
  std::vector<std::unique_ptr<sio::test::subscriber>> subscribers;
  for (std::size_t i = 0; i < 3; ++i)
    subscribers.push_back(std::make_unique<sio::test::subscriber>(
        cluster.node(i), std::vector<std::string>{"socket.io#/#" + rooms[i] + "#"},
        sio::test::subscriber::mode::shard_channels));

  const sio::Emitter io(options_for(cluster, sio::Options::adapter_mode::sharded));
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(rooms[i]);
    const auto published = io.to(rooms[i]).emit_sync("notification", sio::json(R"({"type":"T"})"));
    CHECK(published.command == "SPUBLISH");
    CHECK(published.channel == "socket.io#/#" + rooms[i] + "#");
    CHECK(published.receivers == 1);  // counted by the master that owns the channel: it went there
    const auto message = subscribers[i]->next_message(2s);
    REQUIRE(message);
    CHECK(message->payload == published.payload);
  }

  // Queued emits, spread over the three masters, each acknowledged by its owner.
  outcome_tally tally;
  for (int n = 0; n < 300; ++n) io.to(rooms[static_cast<std::size_t>(n % 3)]).emit_args("n", sio::json_args(std::to_string(n).insert(0, 1, '[').append("]")), tally.completion());
  io.flush(10s);
  CHECK(tally.ok == 300);
  CHECK(tally.failed == 0);
  for (std::size_t i = 0; i < 3; ++i) {
    int received = 0;
    while (subscribers[i]->next_message(received < 100 ? 2000ms : 100ms)) ++received;
    CHECK(received == 100);
    CHECK(cluster.errors_answered(i, "MOVED") == 0);  // routed by slot from the start, never redirected
  }
}

TEST_CASE("cluster: streams entries land on the master of each stream, classic PUBLISH reaches any node") {
  sio::test::redis_cluster cluster(3);
  SUBCASE("streams with streamCount 4: the stream is chosen by namespace") {
    auto o = options_for(cluster, sio::Options::adapter_mode::streams);
    o.stream_count = 4;
    const sio::Emitter io(o);
    std::map<std::string, int> per_stream;
    for (int n = 0; n < 40; ++n) {
      const auto published = io.of("/tenant-" + std::to_string(n)).to("user:42").emit_sync("n", n);
      CHECK_FALSE(published.offset.empty());
      ++per_stream[published.channel];
    }
    // Java's hashCode modulo 4 keeps its sign, as the adapter's: socket.io--3 .. socket.io-3.
    CHECK(per_stream.size() > 3);
    for (const auto& entry : per_stream) CHECK(std::regex_match(entry.first, std::regex("socket\\.io--?[0-3]")));
    std::set<std::size_t> owners;
    for (const auto& [stream, count] : per_stream) {
      CAPTURE(stream);
      const auto owner = cluster.owner_of(stream);
      owners.insert(owner);
      CHECK(cluster.node(owner).command({"XLEN", stream}) == std::to_string(count));
    }
    CHECK(owners.size() >= 2);  // the four streams are not all on one master
  }
  SUBCASE("classic: published through the owner of the channel's slot, received on another node") {
    const auto rooms = one_room_per_master(cluster);
    sio::test::subscriber everything(cluster.node(2), {"socket.io#*"});
    const sio::Emitter io(options_for(cluster, sio::Options::adapter_mode::classic));
    for (const auto& room : rooms) {
      const auto published = io.to(room).emit_sync("notification", 1);
      CHECK(published.command == "PUBLISH");
      CHECK_FALSE(published.receivers.has_value());  // the reply counts one node's subscribers: not reported
      const auto message = everything.next_message(2s);
      REQUIRE(message);
      CHECK(message->channel == published.channel);
      CHECK(message->payload == published.payload);
    }
    // Requests count the servers over every node (tests/gateway/e2e/confirm-cluster.test.mjs has real ones): the
    // pattern subscriber is none of them.
    CHECK(io.serverCount() == 0);
    const auto sockets = io.to("user:1").fetchSockets();
    CHECK(sockets.servers == 0);
    CHECK(sockets.sockets.empty());
    CHECK_FALSE(sockets.timed_out);
  }
}

TEST_CASE("cluster: a stream's slot resharded during 3000 queued XADDs: ASK, then MOVED, and nothing lost") {
  sio::test::redis_cluster cluster(3);
  const std::string stream = "socket.io";
  const int slot = key_slot(stream);
  const auto from = cluster.owner_of(stream);
  const auto to = (from + 1) % 3;

  const sio::Emitter io(options_for(cluster, sio::Options::adapter_mode::streams));
  io.to("user:42").emit_sync("n", -1);  // the stream exists on the source before the move
  outcome_tally tally;
  constexpr int total = 3000;
  std::thread producer([&] {
    for (int n = 0; n < total; ++n) {
      io.to("user:42").emit_args("n", sio::json_args(std::to_string(n).insert(0, 1, '[').append("]")), tally.completion());
      std::this_thread::sleep_for(300us);  // about a second of publishing: the move happens in its middle
    }
  });
  std::this_thread::sleep_for(250ms);
  cluster.move_slot(slot, from, to, {stream}, [] { std::this_thread::sleep_for(150ms); });
  producer.join();
  io.flush(10s);

  INFO("first failure: " << tally.first_failure);
  CHECK(tally.failed == 0);
  CHECK(tally.ok == total);
  CHECK(cluster.owner_of(stream) == to);
  // Every entry is on the new owner, each once (order may differ only around a redirect).
  CHECK(cluster.node(to).command({"XLEN", stream}) == std::to_string(total + 1));
  const auto entries = cluster.node(to).command({"XRANGE", stream, "-", "+"});
  const std::regex data_field(R"re("data":\["n",(-?\d+)\])re");
  std::set<int> seen;
  int duplicates = 0;
  for (auto it = std::sregex_iterator(entries.begin(), entries.end(), data_field); it != std::sregex_iterator(); ++it)
    if (!seen.insert(std::stoi((*it)[1])).second) ++duplicates;
  CHECK(duplicates == 0);
  CHECK(seen.size() == total + 1);
  // The move was met while publishing: the source answered ASK (key gone, slot migrating) and MOVED (slot gone).
  CHECK(cluster.errors_answered(from, "ASK") > 0);
  CHECK(cluster.errors_answered(from, "MOVED") > 0);
  MESSAGE("resharding figures: ASK " << cluster.errors_answered(from, "ASK") << ", MOVED "
                                     << cluster.errors_answered(from, "MOVED"));
}

TEST_CASE("cluster: a shard channel's slot resharded during 3000 queued SPUBLISHes: MOVED followed, none failed") {
  sio::test::redis_cluster cluster(3);
  const std::string room = "user:42";
  const std::string channel = "socket.io#/#" + room + "#";
  const int slot = key_slot(channel);
  const auto from = cluster.owner_of(channel);
  const auto to = (from + 1) % 3;

  const sio::Emitter io(options_for(cluster, sio::Options::adapter_mode::sharded));
  outcome_tally tally;
  constexpr int total = 3000;
  std::thread producer([&] {
    for (int n = 0; n < total; ++n) {
      io.to(room).emit_args("n", sio::json_args(std::to_string(n).insert(0, 1, '[').append("]")), tally.completion());
      std::this_thread::sleep_for(300us);
    }
  });
  std::this_thread::sleep_for(250ms);
  cluster.move_slot(slot, from, to, {}, [] { std::this_thread::sleep_for(150ms); });
  producer.join();
  io.flush(10s);

  INFO("first failure: " << tally.first_failure);
  CHECK(tally.failed == 0);
  CHECK(tally.ok == total);
  CHECK(cluster.errors_answered(from, "MOVED") > 0);
  // After the move, a subscriber of the new owner gets what is published.
  sio::test::subscriber on_new_owner(cluster.node(to), {channel}, sio::test::subscriber::mode::shard_channels);
  const auto published = io.to(room).emit_sync("after", 1);
  CHECK(published.receivers == 1);
  const auto message = on_new_owner.next_message(2s);
  REQUIRE(message);
  CHECK(message->payload == published.payload);
}

TEST_CASE("cluster: a master killed during queued SPUBLISHes: emits buffered meanwhile reach the promoted replica") {
  sio::test::redis_cluster cluster(3, 1);  // each master has a replica to take over
  const std::string room = "user:42";
  const std::string channel = "socket.io#/#" + room + "#";
  const auto from = cluster.owner_of(channel);

  auto o = options_for(cluster, sio::Options::adapter_mode::sharded);
  o.redis_url = "redis+cluster://127.0.0.1:" + std::to_string(cluster.node((from + 1) % 3).port());
  o.command_timeout = 3000ms;         // buffered emits go back to the router after this long
  o.max_reconnect_delay = 300ms;      // and the dead node's pipeline looks at them that often
  const sio::Emitter io(o);
  CHECK(io.to(room).emit_sync("before", 1).receivers == 0);

  outcome_tally tally;
  constexpr int total = 2000;
  std::thread producer([&] {
    for (int n = 0; n < total; ++n) {
      io.to(room).emit_args("n", sio::json_args(std::to_string(n).insert(0, 1, '[').append("]")), tally.completion());
      std::this_thread::sleep_for(3ms);  // several seconds of publishing: the failover happens in their middle
    }
  });
  std::this_thread::sleep_for(500ms);
  cluster.node(from).kill();
  producer.join();
  io.flush(60s);

  const auto to = cluster.owner_of(channel);
  CHECK(to != from);
  INFO("first failure: " << tally.first_failure);
  CHECK(tally.ok + tally.failed == total);
  // Only what was on the wire when the master died may fail; what was queued while it was away is resent.
  CHECK(tally.failed < 20);
  MESSAGE("cluster failover figures: acknowledged " << tally.ok.load() << ", failed " << tally.failed.load()
                                                    << " of " << total);
  const auto stats = cluster.node(to).command({"INFO", "commandstats"});
  CHECK(stats.find("cmdstat_spublish:calls=") != std::string::npos);
  CHECK(io.to(room).emit_sync("after", 1).receivers == 0);
}


// A server's Redis client may subscribe through any node, a replica included (PUBSUB NUMSUB answers per node):
// requests count the servers over every node the cluster lists, replicas too (issue 16).
TEST_CASE("cluster: requests count subscribers on every node, replicas included") {
  sio::test::redis_cluster cluster(3, 1);
  cluster.wait_until_replicas_synced();
  // CLUSTER SLOTS names a replica once gossip told the node about it: wait until every node lists all three.
  const auto replicas_listed = [&] {
    for (std::size_t n = 0; n < 6; ++n) {
      const auto slots = cluster.node(n).command({"CLUSTER", "SLOTS"});
      std::size_t hosts = 0;
      for (auto at = slots.find("127.0.0.1"); at != std::string::npos; at = slots.find("127.0.0.1", at + 1)) ++hosts;
      if (hosts != 6) return false;
    }
    return true;
  };
  for (int i = 0; i < 200 && !replicas_listed(); ++i) std::this_thread::sleep_for(50ms);
  REQUIRE(replicas_listed());
  using how = sio::test::subscriber::mode;
  sio::test::subscriber on_master(cluster.node(0), {"socket.io-request#/#"}, how::channels);
  sio::test::subscriber on_replica(cluster.node(4), {"socket.io-request#/#"}, how::channels);
  sio::test::subscriber streams_on_replica(cluster.node(5), {"socket.io#/#"}, how::channels);
  auto o = options_for(cluster, sio::Options::adapter_mode::classic);
  o.request_timeout = 300ms;
  const sio::Emitter classic(o);
  CHECK(classic.serverCount() == 2);
  const auto delivery = classic.to("user:1").emit_confirmed("e");  // nobody answers: both waited for
  CHECK(delivery.servers == 2);
  CHECK(delivery.answered == 0);
  CHECK(delivery.timed_out);
  o.mode = sio::Options::adapter_mode::streams;
  CHECK(sio::Emitter(o).serverCount() == 1);
  o.mode = sio::Options::adapter_mode::sharded;
  CHECK(sio::Emitter(o).serverCount() == 0);  // nobody SSUBSCRIBEd socket.io#/#
}
