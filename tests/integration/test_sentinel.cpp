// Redis Sentinel (redis+sentinel://) against real processes: a master, its replica and a sentinel (support/
// redis_sentinel.hpp). Publishing and requests reach the master the sentinel names; a SENTINEL FAILOVER in the
// middle of a stream of queued emits moves publishing to the promoted replica with every emit acknowledged or
// reported failed; wrong names, unreachable sentinels and a master that is really a replica give exact errors;
// a READONLY answer (a server demoted under a live connection) makes the pipeline reconnect.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_sentinel.hpp"
#include "support/redis_server.hpp"
#include "support/test_values.hpp"
#include "support/subscriber.hpp"

using namespace std::chrono_literals;

namespace {

using sio::test::failure;
using sio::test::failure_of;
using sio::test::redis_sentinel;
using sio::test::redis_server;
using clock_type = std::chrono::steady_clock;


sio::Options sentinel_options(const std::string& url) {
  sio::Options options;
  options.redis_url = url;
  options.connect_timeout = 2000ms;
  options.command_timeout = 2000ms;
  options.reconnect_delay = 20ms;
  options.max_reconnect_delay = 200ms;
  return options;
}

// The emit's number from its payload: the argument "emit-NNNNN" appears as is in the msgpack bytes.
int emit_number(const std::string& payload) {
  const auto at = payload.find("emit-");
  if (at == std::string::npos || at + 10 > payload.size()) return -1;
  return std::stoi(payload.substr(at + 5, 5));
}

// Collects the numbers a subscriber receives, on its own thread, until stopped or its connection is killed.
class collector {
 public:
  explicit collector(const redis_server& server)
      : subscriber_(server, {"socket.io#/#*"}), thread_([this] { run(); }) {}
  ~collector() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<int> numbers() const {
    std::lock_guard lock(mutex_);
    return numbers_;
  }
  std::optional<clock_type::time_point> first_at() const {
    std::lock_guard lock(mutex_);
    return first_at_;
  }
  bool killed() const { return killed_; }

 private:
  void run() {
    while (!stopping_) {
      try {
        const auto message = subscriber_.next_message(50ms);
        if (!message) continue;
        std::lock_guard lock(mutex_);
        if (!first_at_) first_at_ = clock_type::now();
        numbers_.push_back(emit_number(message->payload));
      } catch (const std::runtime_error&) {
        killed_ = true;  // CLIENT KILL TYPE pubsub when the sentinel reconfigured this server
        return;
      }
    }
  }

  sio::test::subscriber subscriber_;
  mutable std::mutex mutex_;
  std::vector<int> numbers_;
  std::optional<clock_type::time_point> first_at_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> killed_{false};
  std::thread thread_;
};

// Normal clients (not a replica's link to its master, not the sentinel's links) whose last command was `command`.
int clients_whose_last_command_is(const redis_server& server, const std::string& command) {
  int count = 0;
  std::string list = server.command({"CLIENT", "LIST"});
  std::size_t start = 0;
  while (start < list.size()) {
    auto end = list.find('\n', start);
    if (end == std::string::npos) end = list.size();
    const auto line = list.substr(start, end - start);
    start = end + 1;
    if (line.find(" name=sentinel-") != std::string::npos || line.find(" flags=N ") == std::string::npos) continue;
    if (line.find(" cmd=" + command + " ") != std::string::npos) ++count;
  }
  return count;
}

std::string host_port(int port) { return "127.0.0.1:" + std::to_string(port); }

}  // namespace

TEST_SUITE("sentinel") {

TEST_CASE("sentinel: emit_sync and requests reach the master the sentinel names") {
  redis_sentinel deployment;
  sio::test::subscriber on_master(deployment.master(), {"socket.io#/#*"});
  sio::test::subscriber server_like(deployment.master(), {"socket.io-request#/#"},
                                    sio::test::subscriber::mode::channels);
  const sio::Emitter io{sentinel_options(deployment.url() + "/0")};

  const auto published = io.to("user:42").emit_sync("notification", "via sentinel");
  CHECK(published.receivers == 1);
  const auto message = on_master.next_message(2s);
  REQUIRE(message);
  CHECK(message->channel == "socket.io#/#user:42#");
  CHECK(message->payload.find("via sentinel") != std::string::npos);
  // Requests open their own connection: to the master too (the subscriber counts as one server).
  CHECK(io.serverCount() == 1);
  CHECK(clients_whose_last_command_is(deployment.replica(), "publish") == 0);
}

TEST_CASE("sentinel: an ACL user without +role is checked with HELLO, and nothing is refused") {
  redis_sentinel deployment;
  deployment.master().command({"ACL", "SETUSER", "pub", "on", ">pw", "resetchannels", "&socket.io#*", "-@all",
                               "+publish"});
  sio::test::subscriber on_master(deployment.master(), {"socket.io#/#*"});
  const sio::Emitter io{sentinel_options("redis+sentinel://pub:pw@127.0.0.1:" +
                                         std::to_string(deployment.sentinel().port()) + "/mymaster")};
  CHECK(io.to("user:42").emit_sync("notification", "as pub").receivers == 1);
  // ROLE would have been refused (it is @admin) and logged; HELLO is open to every user.
  CHECK(deployment.master().command({"ACL", "LOG"}).empty());
}

TEST_CASE("sentinel: a failover during a stream of queued emits: all ended, publishing moves to the new master") {
  redis_sentinel deployment;
  const int old_port = deployment.master().port();
  const int new_port = deployment.replica().port();
  collector on_old(deployment.master());
  const sio::Emitter io{sentinel_options(deployment.url())};
  REQUIRE(io.to("user:42").emit_sync("warm-up", "emit-99999").receivers == 1);

  constexpr int total = 2000;
  std::vector<std::atomic<int>> ended(total);       // times each completion ran
  std::vector<std::atomic<long long>> receivers(total);
  std::vector<std::atomic<bool>> ok(total);
  std::atomic<int> sent{0};
  std::thread stream([&] {
    char arg[16];
    for (int i = 0; i < total; ++i) {
      std::snprintf(arg, sizeof arg, "emit-%05d", i);
      const std::array<sio::value, 1> args{sio::value(std::string(arg))};
      const auto at = static_cast<std::size_t>(i);
      io.to("user:42").emit_args("notification", args, [&, at](const sio::Outcome& outcome) {
        ok[at] = outcome.code == sio::errc::ok;
        receivers[at] = outcome.receivers;
        ++ended[at];
      });
      sent = i + 1;
      std::this_thread::sleep_for(2500us);  // about 5 s in all: the failover falls well inside
    }
  });

  while (sent < 200) std::this_thread::sleep_for(1ms);
  const auto failover_at = clock_type::now();
  deployment.start_failover();
  deployment.wait_for_master_port(new_port, 10s);
  // Subscribed once the sentinel names it (its promotion killed pub/sub clients there): sees everything the
  // emitter publishes on it.
  collector on_new(deployment.replica());
  redis_sentinel::wait_for_role(deployment.master(), "slave", 15s);  // the old master demoted (clients killed)
  const auto demoted_at = clock_type::now();
  const int sent_at_demotion = sent;
  stream.join();
  io.flush(30s);

  // After the stream: still publishing, on the new master.
  CHECK(io.to("user:42").emit_sync("after", "emit-99998").receivers == 1);
  std::this_thread::sleep_for(200ms);
  on_old.stop();
  on_new.stop();

  int acknowledged = 0, failed = 0, lost_track = 0, zero_receivers = 0;
  std::set<int> acked;
  for (int i = 0; i < total; ++i) {
    const auto at = static_cast<std::size_t>(i);
    if (ended[at] != 1) ++lost_track;
    if (ok[at]) {
      ++acknowledged;
      acked.insert(i);
      if (receivers[at] != 1) ++zero_receivers;
    } else {
      ++failed;
    }
  }
  const auto old_numbers = on_old.numbers();
  const auto new_numbers = on_new.numbers();
  std::set<int> received;
  int duplicates = 0;
  for (const auto& list : {old_numbers, new_numbers})
    for (int n : list)
      if (n >= 0 && n < total && !received.insert(n).second) ++duplicates;
  int acked_not_received = 0;
  for (int n : acked)
    if (!received.contains(n)) ++acked_not_received;
  const auto recovered_at = on_new.first_at();
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  MESSAGE("failover: " << acknowledged << " acknowledged, " << failed << " failed, " << received.size()
                       << " received (" << old_numbers.size() << " on the old master, " << new_numbers.size()
                       << " on the new one; the 2 extra are the checks); demoted "
                       << ms(demoted_at - failover_at) << " ms after SENTINEL FAILOVER (" << sent_at_demotion
                       << " emits sent by then); first emit on the new master "
                       << (recovered_at ? ms(*recovered_at - failover_at) : -1) << " ms after it; reconnects "
                       << io.stats().reconnects);

  CHECK(lost_track == 0);                        // every completion ran exactly once
  CHECK(acknowledged + failed == total);
  CHECK(acknowledged >= total - 10);             // only the few in flight when the connection was killed fail
  CHECK(zero_receivers == 0);                    // never published where nobody listens (a demoted replica)
  CHECK(acked_not_received == 0);                // every acknowledged emit reached a subscriber
  CHECK(duplicates == 0);
  CHECK(on_old.killed());                        // the sentinel killed the old master's clients...
  CHECK(!new_numbers.empty());                   // ...and publishing went on, on the new master
  CHECK(std::find(new_numbers.begin(), new_numbers.end(), 99998) != new_numbers.end());
  const auto stats = io.stats();
  CHECK(stats.acknowledged == static_cast<std::uint64_t>(acknowledged) + 2);
  CHECK(stats.failed == static_cast<std::uint64_t>(failed));
  CHECK(stats.in_flight == 0);
  CHECK(stats.reconnects >= 1);
  CHECK(deployment.master_port() == new_port);
  CHECK(clients_whose_last_command_is(deployment.replica(), "publish") == 1);  // the emitter, on the new master
  CHECK(clients_whose_last_command_is(deployment.master(), "publish") == 0);
  CHECK(old_port != new_port);
}

TEST_CASE("sentinel: a master name the sentinel does not know: the exact error, nothing published") {
  redis_sentinel deployment;
  const auto url = "redis+sentinel://127.0.0.1:" + std::to_string(deployment.sentinel().port()) + "/nosuch";
  const sio::Emitter io{sentinel_options(url)};
  const auto got = failure_of([&] { io.to("user:42").emit_sync("notification", "x"); });
  CHECK(got.code == sio::errc::connection);
  CHECK(got.message == "no sentinel of redis+sentinel://" + host_port(deployment.sentinel().port()) +
                           "/nosuch/0 named the master \"nosuch\": " + host_port(deployment.sentinel().port()) +
                           ": unknown master name");
}

TEST_CASE("sentinel: no sentinel reachable: every one named with its reason") {
  const int first = sio::test::free_loopback_port();
  const int second = sio::test::free_loopback_port();
  const auto url = "redis+sentinel://127.0.0.1:" + std::to_string(first) + ",127.0.0.1:" + std::to_string(second) +
                   "/mymaster/2";
  const sio::Emitter io{sentinel_options(url)};
  const auto got = failure_of([&] { io.to("user:42").emit_sync("notification", "x"); });
  CHECK(got.code == sio::errc::connection);
  CHECK(got.message == "no sentinel of redis+sentinel://" + host_port(first) + "," + host_port(second) +
                           "/mymaster/2 named the master \"mymaster\": " + host_port(first) +
                           ": Connection refused; " + host_port(second) + ": Connection refused");
}

TEST_CASE("sentinel: sentinels that cannot answer are skipped, the first address given wins") {
  redis_sentinel deployment;
  redis_server not_a_sentinel;
  const int closed = sio::test::free_loopback_port();
  sio::test::subscriber on_master(deployment.master(), {"socket.io#/#*"});
  const auto url = "redis+sentinel://127.0.0.1:" + std::to_string(closed) + ",127.0.0.1:" +
                   std::to_string(not_a_sentinel.port()) + ",127.0.0.1:" +
                   std::to_string(deployment.sentinel().port()) + "/mymaster";
  const sio::Emitter io{sentinel_options(url)};
  CHECK(io.to("user:42").emit_sync("notification", "x").receivers == 1);

  // With the real sentinel left out, each reason is given.
  const auto without = "redis+sentinel://127.0.0.1:" + std::to_string(closed) + ",127.0.0.1:" +
                       std::to_string(not_a_sentinel.port()) + "/mymaster";
  const auto got = failure_of([&] { sio::Emitter{sentinel_options(without)}.to("r").emit_sync("e", "x"); });
  CHECK(got.code == sio::errc::connection);
  CHECK(got.message.starts_with("no sentinel of redis+sentinel://" + host_port(closed) + "," +
                                host_port(not_a_sentinel.port()) + "/mymaster/0 named the master \"mymaster\": " +
                                host_port(closed) + ": Connection refused; " + host_port(not_a_sentinel.port()) +
                                ": SENTINEL GET-MASTER-ADDR-BY-NAME failed: ERR unknown command 'SENTINEL'"));
}

TEST_CASE("sentinel: a named master that says it is a replica is asked about again, then refused") {
  redis_sentinel deployment;
  redis_server elsewhere;
  // The master turns replica behind the sentinel's back; the sentinel still names it for a while (it reacts after
  // down-after-milliseconds, 1 s, plus its next INFO).
  deployment.master().command({"REPLICAOF", "127.0.0.1", std::to_string(elsewhere.port())});
  auto options = sentinel_options(deployment.url());
  options.connect_timeout = 400ms;
  const sio::Emitter io{options};
  const auto start = clock_type::now();
  const auto got = failure_of([&] { io.to("user:42").emit_sync("notification", "x"); });
  const auto took = clock_type::now() - start;
  CHECK(got.code == sio::errc::connection);
  CHECK(got.message == "the sentinels of redis+sentinel://" + host_port(deployment.sentinel().port()) +
                           "/mymaster/0 name " + host_port(deployment.master().port()) +
                           " as the master \"mymaster\", but it is still a replica after 400 ms (a failover in "
                           "progress?)");
  CHECK(took >= 300ms);  // asked again, not refused at the first answer
  CHECK(took < 2s);
}

TEST_CASE("sentinel: READONLY (a server demoted under a live connection) fails that XADD and reconnects") {
  // Plain redis://: the reconnect is the pipeline's, whatever finds the server afterwards.
  redis_server server;
  redis_server other({.extra_args = {"--repl-diskless-sync-delay", "0"}});  // its replica syncs at once
  auto options = sentinel_options(server.url());
  options.mode = sio::Options::adapter_mode::streams;
  const sio::Emitter io{options};
  CHECK(!io.to("user:42").emit_sync("notification", "before").offset.empty());

  server.command({"REPLICAOF", "127.0.0.1", std::to_string(other.port())});
  redis_sentinel::wait_for_role(server, "slave", 5s);
  // Until its first sync from `other` (empty) is done, so what it holds afterwards is known.
  const auto deadline = clock_type::now() + 5s;
  while (server.command({"ROLE"}).find("\nconnected\n") == std::string::npos && clock_type::now() < deadline)
    std::this_thread::sleep_for(20ms);
  std::atomic<int> done{0};
  sio::Outcome refused;
  const std::array<sio::value, 1> args{sio::value("while a replica")};
  io.to("user:42").emit_args("notification", args, [&](const sio::Outcome& outcome) {
    refused = outcome;
    ++done;
  });
  io.flush(5s);
  REQUIRE(done == 1);
  CHECK(refused.code == sio::errc::reply);
  CHECK(refused.message == "XADD failed: READONLY You can't write against a read only replica.");
  // The refusal's completion runs just before the I/O thread drops that connection: a command queued in between
  // would be failed with the drop. Wait for the reconnect it leads to (to the replica still: a plain URL).
  const auto reconnect_deadline = clock_type::now() + 5s;
  while (io.stats().reconnects == 0 && clock_type::now() < reconnect_deadline) std::this_thread::sleep_for(10ms);
  REQUIRE(io.stats().reconnects == 1);

  server.command({"REPLICAOF", "NO", "ONE"});
  redis_sentinel::wait_for_role(server, "master", 5s);
  CHECK(!io.to("user:42").emit_sync("notification", "after").offset.empty());
  CHECK(io.stats().reconnects == 1);  // the READONLY dropped the connection: a fresh one was opened
  CHECK(server.command({"XLEN", "socket.io"}) == "1");  // its sync from `other` emptied it: "after" only
}

}  // TEST_SUITE
