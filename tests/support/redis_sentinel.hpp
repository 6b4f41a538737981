// A local Redis Sentinel deployment for tests: a master, one replica of it and one sentinel monitoring them
// (quorum 1), all redis-server children on free loopback ports. The sentinel's timers are shortened (SENTINEL
// DEBUG) so that a failover, and the demotion of the old master after it, take about a second each instead of
// ten. Ready when the constructor returns: the replica is in sync and the sentinel could promote it. Every
// process is stopped by its PID when the object dies.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "support/redis_server.hpp"

namespace sio::test {

class redis_sentinel {
 public:
  explicit redis_sentinel(std::string master_name = "mymaster");
  ~redis_sentinel();
  redis_sentinel(const redis_sentinel&) = delete;
  redis_sentinel& operator=(const redis_sentinel&) = delete;

  // The servers as started: master() is the first master, replica() its replica (until a failover swaps them).
  redis_server& master() noexcept { return *master_; }
  redis_server& replica() noexcept { return *replica_; }
  redis_server& sentinel() noexcept { return *sentinel_; }
  const std::string& master_name() const noexcept { return master_name_; }
  // redis+sentinel://127.0.0.1:<sentinel port>/<master name>
  std::string url() const;

  // The port the sentinel names as the master now (SENTINEL GET-MASTER-ADDR-BY-NAME).
  int master_port() const;
  // SENTINEL FAILOVER (asked again while the sentinel has no replica it deems good, up to 5 s). Returns at once.
  void start_failover();
  // Polls until the sentinel names `port` as the master; throws std::runtime_error after `limit`.
  void wait_for_master_port(int port, std::chrono::milliseconds limit) const;
  // Polls until ROLE on `server` starts with `role` ("master", "slave"); throws std::runtime_error after `limit`.
  static void wait_for_role(const redis_server& server, const std::string& role, std::chrono::milliseconds limit);

 private:
  // Until the sentinel lists the replica as healthy, fresh and linked to the master (what it needs to promote it).
  void wait_until_replica_is_promotable() const;

  std::string master_name_;
  std::unique_ptr<redis_server> master_;
  std::unique_ptr<redis_server> replica_;
  std::unique_ptr<redis_server> sentinel_;  // declared last: destroyed first, so it never reacts to the others going
};

}  // namespace sio::test
