#include "support/redis_sentinel.hpp"

#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sio::test {

namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// INFO's "key:value" lines.
std::string info_field(const std::string& info, const std::string& key) {
  for (const auto& line : lines_of(info)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    auto value = line.substr(key.size() + 1);
    if (!value.empty() && value.back() == '\r') value.pop_back();
    return value;
  }
  return {};
}

template <class Ready>
void poll_until(Ready ready, std::chrono::milliseconds limit, const std::string& what) {
  const auto deadline = clock::now() + limit;
  for (;;) {
    try {
      if (ready()) return;
    } catch (const std::runtime_error&) {
      // not answering yet (a server being reconfigured): ask again
    }
    if (clock::now() > deadline)
      throw std::runtime_error("redis_sentinel: " + what + " not within " + std::to_string(limit.count()) + " ms");
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace

redis_sentinel::redis_sentinel(std::string master_name) : master_name_(std::move(master_name)) {
  // A replica's full sync starts at once, not after the default 5 s wait for more replicas (either may be master).
  redis_server_options master_options;
  master_options.extra_args = {"--repl-diskless-sync-delay", "0"};
  master_ = std::make_unique<redis_server>(master_options);
  redis_server_options replica_options;
  replica_options.extra_args = {"--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1",
                                std::to_string(master_->port())};
  replica_ = std::make_unique<redis_server>(replica_options);
  poll_until([&] { return info_field(replica_->command({"INFO", "replication"}), "master_link_status") == "up"; },
             10s, "the replica in sync with the master");

  // The replica is listed up front, so the sentinel need not wait for the master's next INFO to learn of it.
  redis_server_options sentinel_options;
  sentinel_options.config = "sentinel monitor " + master_name_ + " 127.0.0.1 " + std::to_string(master_->port()) +
                            " 1\n"
                            "sentinel down-after-milliseconds " + master_name_ + " 1000\n"
                            "sentinel failover-timeout " + master_name_ + " 5000\n"
                            "sentinel known-replica " + master_name_ + " 127.0.0.1 " +
                            std::to_string(replica_->port()) + "\n";
  sentinel_options.extra_args = {"--sentinel"};
  sentinel_ = std::make_unique<redis_server>(sentinel_options);
  // Test-speed timers (Redis 7): INFO every 100 ms instead of 10 s, hello messages every 200 ms instead of 2 s.
  sentinel_->command({"SENTINEL", "DEBUG", "INFO-PERIOD", "100", "PING-PERIOD", "100", "ASK-PERIOD", "100",
                      "PUBLISH-PERIOD", "200"});
  wait_until_replica_is_promotable();
}

redis_sentinel::~redis_sentinel() {
  // The sentinel first: it must not fail over (or rewrite anything) while the servers stop.
  sentinel_.reset();
  replica_.reset();
  master_.reset();
}

std::string redis_sentinel::url() const {
  return "redis+sentinel://127.0.0.1:" + std::to_string(sentinel_->port()) + "/" + master_name_;
}

int redis_sentinel::master_port() const {
  const auto lines = lines_of(sentinel_->command({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", master_name_}));
  if (lines.size() != 2) throw std::runtime_error("redis_sentinel: the sentinel names no master");
  return std::stoi(lines[1]);
}

void redis_sentinel::wait_until_replica_is_promotable() const {
  poll_until(
      [&] {
        // SENTINEL REPLICAS: one flat list of field, value lines per replica (one replica here).
        const auto lines = lines_of(sentinel_->command({"SENTINEL", "REPLICAS", master_name_}));
        std::map<std::string, std::string> fields;
        for (std::size_t i = 0; i + 1 < lines.size(); i += 2) fields[lines[i]] = lines[i + 1];
        return fields["port"] == std::to_string(replica_->port()) && fields["flags"] == "slave" &&
               fields["master-link-status"] == "ok" && !fields["info-refresh"].empty() &&
               std::stoll(fields["info-refresh"]) < 300;
      },
      10s, "the sentinel seeing a promotable replica");
}

void redis_sentinel::start_failover() {
  poll_until(
      [&] {
        try {
          return sentinel_->command({"SENTINEL", "FAILOVER", master_name_}) == "OK";
        } catch (const std::runtime_error& e) {
          // NOGOODSLAVE: the replica's last INFO is a moment too old; the next one comes within 100 ms.
          if (std::string(e.what()).find("NOGOODSLAVE") == std::string::npos) throw std::logic_error(e.what());
          return false;
        }
      },
      5s, "SENTINEL FAILOVER accepted");
}

void redis_sentinel::wait_for_master_port(int port, std::chrono::milliseconds limit) const {
  poll_until([&] { return master_port() == port; }, limit, "the sentinel naming port " + std::to_string(port));
}

void redis_sentinel::wait_for_role(const redis_server& server, const std::string& role,
                                   std::chrono::milliseconds limit) {
  poll_until([&] { return lines_of(server.command({"ROLE"})).front() == role; }, limit,
             "port " + std::to_string(server.port()) + " saying it is a " + role);
}

}  // namespace sio::test
