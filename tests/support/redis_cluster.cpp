#include "support/redis_cluster.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sio::test {

namespace {

using namespace std::chrono_literals;

// redis-cli from the same directory as the redis-server in use, else from PATH.
std::string find_redis_cli() {
  if (const char* server = std::getenv("SIO_REDIS_SERVER"); server != nullptr && *server) {
    const auto beside = std::filesystem::path(server).parent_path() / "redis-cli";
    if (::access(beside.c_str(), X_OK) == 0) return beside.string();
  }
  return "redis-cli";
}

// Runs argv (no shell), its output kept for the error message; true when it exits 0.
bool run(const std::vector<std::string>& args, std::string& output) {
  char log_template[] = "/tmp/sio-cluster-create-XXXXXX";
  const int log_fd = ::mkstemp(log_template);
  if (log_fd < 0) throw std::runtime_error("mkstemp failed");
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (auto& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  if (child > 0) ::waitpid(child, &status, 0);
  ::close(log_fd);
  std::ifstream log(log_template);
  std::stringstream text;
  text << log.rdbuf();
  output = text.str();
  std::filesystem::remove(log_template);
  return child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

redis_cluster::redis_cluster(int masters, int replicas_per_master) {
  for (int i = 0; i < masters * (1 + replicas_per_master); ++i) {
    // The cluster bus gets its own free port (cluster-port, Redis 7) rather than port + 10000, which may be taken
    // or beyond 65535.
    redis_server_options options;
    options.extra_args = {"--cluster-enabled", "yes", "--cluster-node-timeout", "2000", "--cluster-port",
                          std::to_string(free_loopback_port()),
                          // a replica syncs at once instead of after 5 s: one that never synced cannot take over
                          "--repl-diskless-sync-delay", "0"};
    nodes_.push_back(std::make_unique<redis_server>(options));
  }
  std::vector<std::string> create{find_redis_cli(), "--cluster", "create"};
  for (const auto& node : nodes_) create.push_back("127.0.0.1:" + std::to_string(node->port()));
  create.insert(create.end(), {"--cluster-replicas", std::to_string(replicas_per_master), "--cluster-yes"});
  std::string output;
  if (!run(create, output)) throw std::runtime_error("redis-cli --cluster create failed:\n" + output);
  wait_until_ok();
  if (replicas_per_master > 0) wait_until_replicas_synced();
}

std::string redis_cluster::seed_url() const { return nodes_.front()->url(); }

int redis_cluster::index_of_port(int port) const noexcept {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i]->port() == port) return static_cast<int>(i);
  return -1;
}

void redis_cluster::wait_until_ok() const {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    bool ok = true;
    std::string first_slots;
    for (const auto& node : nodes_) {
      if (!node->running()) continue;  // killed by the test
      const auto info = node->command({"CLUSTER", "INFO"});
      const auto slots = node->command({"CLUSTER", "SLOTS"});
      if (info.find("cluster_state:ok") == std::string::npos) ok = false;
      if (first_slots.empty()) first_slots = slots;
      // The rendering lists ranges in each node's own order; equal sizes are enough to see the views settle.
      if (slots.size() != first_slots.size()) ok = false;
    }
    if (ok) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("the cluster did not reach cluster_state:ok within 10 s");
    std::this_thread::sleep_for(50ms);
  }
}

void redis_cluster::wait_until_replicas_synced() const {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    bool synced = true;
    for (const auto& node : nodes_) {
      const auto info = node->command({"INFO", "replication"});
      if (info.find("role:slave") != std::string::npos && info.find("master_link_status:up") == std::string::npos)
        synced = false;
    }
    if (synced) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("the cluster's replicas did not sync with their masters within 10 s");
    std::this_thread::sleep_for(50ms);
  }
}

std::size_t redis_cluster::owner_of(const std::string& key) const {
  const auto running = std::find_if(nodes_.begin(), nodes_.end(), [](const auto& n) { return n->running(); });
  if (running == nodes_.end()) throw std::runtime_error("no node of the cluster is running");
  const auto& asked = **running;
  const int slot = std::stoi(asked.command({"CLUSTER", "KEYSLOT", key}));
  // A CLUSTER NODES line: <id> <host:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges...>
  std::istringstream lines(asked.command({"CLUSTER", "NODES"}));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::vector<std::string> field{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
    if (field.size() < 9 || field[2].find("master") == std::string::npos || field[2].find("fail") != std::string::npos)
      continue;
    for (std::size_t i = 8; i < field.size(); ++i) {
      if (field[i].front() == '[') continue;  // a slot being imported or migrated, not served
      const auto dash = field[i].find('-');
      const int first = std::stoi(field[i].substr(0, dash));
      const int last = dash == std::string::npos ? first : std::stoi(field[i].substr(dash + 1));
      if (slot < first || slot > last) continue;
      const auto port = std::stoi(field[1].substr(field[1].rfind(':') + 1));
      const int index = index_of_port(port);
      if (index < 0) throw std::runtime_error("CLUSTER NODES names a master on an unknown port: " + line);
      return static_cast<std::size_t>(index);
    }
  }
  throw std::runtime_error("no master serves slot " + std::to_string(slot) + " of " + key);
}

void redis_cluster::move_slot(int slot, std::size_t from, std::size_t to, const std::vector<std::string>& keys,
                              const std::function<void()>& pause) {
  auto& source = node(from);
  auto& target = node(to);
  const auto slot_text = std::to_string(slot);
  const auto source_id = source.command({"CLUSTER", "MYID"});
  const auto target_id = target.command({"CLUSTER", "MYID"});
  target.command({"CLUSTER", "SETSLOT", slot_text, "IMPORTING", source_id});
  source.command({"CLUSTER", "SETSLOT", slot_text, "MIGRATING", target_id});
  pause();
  for (const auto& key : keys)
    source.command({"MIGRATE", "127.0.0.1", std::to_string(target.port()), key, "0", "5000"});
  pause();
  target.command({"CLUSTER", "SETSLOT", slot_text, "NODE", target_id});
  source.command({"CLUSTER", "SETSLOT", slot_text, "NODE", target_id});
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (i != from && i != to) node(i).command({"CLUSTER", "SETSLOT", slot_text, "NODE", target_id});
}

long long redis_cluster::errors_answered(std::size_t i, std::string_view kind) const {
  const auto info = nodes_.at(i)->command({"INFO", "errorstats"});
  const std::regex line("errorstat_" + std::string(kind) + ":count=(\\d+)");
  std::smatch match;
  return std::regex_search(info, match, line) ? std::stoll(match[1]) : 0;
}

}  // namespace sio::test
