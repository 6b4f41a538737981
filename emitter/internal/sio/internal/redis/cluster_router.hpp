// Publishing to a Redis Cluster: one redis_pipeline per master, each command sent to the master that owns its
// key's slot (the channel for PUBLISH and SPUBLISH, the stream for XADD; classic PUBLISH would work from any node,
// and routing it by slot too spreads the load). The slot map comes from CLUSTER SLOTS, asked of the seeds (then of
// the masters already known). A MOVED reply points the slot at the node it names, resends the command there and
// has the whole map reloaded; an ASK reply resends it once to the node named, after ASKING. A command that never
// left for a node that stayed unreachable (its pipeline gives up buffered commands after the command timeout) is
// sent again to whichever master owns its slot after a reload: a failover moved the slot to a promoted replica.
// Redirected commands are resent by the router's own thread, never on a node's I/O thread, and fail after
// max_redirects.
//
// Every command ends exactly once, as on a single pipeline: its completion, or (without one) a failure reported
// by the next flush(). Order is kept per slot, except for a command that was redirected: it may arrive after
// commands sent later to the slot's new owner.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "sio/internal/redis/cluster_slots.hpp"
#include "sio/internal/redis/command.hpp"
#include "sio/internal/redis/redis_pipeline.hpp"
#include "sio/internal/redis/redis_url.hpp"

namespace sio::detail {

// CLUSTER SLOTS from the first of `candidates` that answers, each reached with `seeds`' credentials and TLS. A
// wrong password or a TLS failure ends the search (it is wrong on every node). Throws sio::connection_error,
// timeout_error or the first other redis_error, naming each candidate and why it failed.
cluster_topology ask_cluster_slots(const redis_endpoint& seeds, const std::vector<redis_address>& candidates,
                                   std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds command_timeout);

class cluster_router {
 public:
  static constexpr int max_redirects = 5;

  // `seeds`: a redis+cluster:// endpoint (its nodes, credentials and TLS). Connects to nothing yet.
  cluster_router(redis_endpoint seeds, std::chrono::milliseconds connect_timeout,
                 std::chrono::milliseconds command_timeout, reconnect_policy reconnect);
  // Waits up to the command timeout for what is in flight (redirects included), then closes every connection.
  ~cluster_router();
  cluster_router(const cluster_router&) = delete;
  cluster_router& operator=(const cluster_router&) = delete;

  // Loads the slot map if none is loaded yet and connects to the master of `key`'s slot. Throws
  // sio::connection_error (naming each seed and why it failed), timeout_error, tls_error or auth_error.
  void connect(std::string_view key = {});

  // As redis_pipeline::enqueue, routed by the slot of cmd.channel.
  void enqueue(const command& cmd, command_completion done, bool may_buffer);

  // As redis_pipeline::flush, over every node and the redirects in progress.
  void flush(std::chrono::milliseconds timeout);
  pipeline_counters counters() const;

 private:
  // One command on its way: its arguments (kept for a resend after MOVED, ASK or an unreachable node), its caller's
  // completion, its redirects so far. Recycled (returned_, spare_): a publish allocates nothing here in the steady
  // state, and nothing made on the caller's thread is freed on a node's I/O thread.
  struct routed;
  struct routed_release {  // gives a routed back to its router (recycle); takes no lock
    cluster_router* router = nullptr;
    void operator()(routed* command) const noexcept;
  };
  using routed_ptr = std::unique_ptr<routed, routed_release>;
  struct redirect_job {
    routed_ptr command;
    std::optional<cluster_redirect> redirect;  // none: never sent (its node unreachable); to the slot's owner now
  };
  struct route {
    std::int16_t node = -1;
    redis_pipeline* pipeline = nullptr;
  };

  // The slot map, loaded from the first node that answers CLUSTER SLOTS (unless `needed_slot` is known by then:
  // another thread loaded it). Throws when no node answers.
  void load_slot_map(std::optional<int> needed_slot = std::nullopt);
  // map_mutex_ held exclusively: the number of the node at `address`, added to the table if new.
  std::int16_t node_number(const redis_address& address);
  bool owner_known(int slot) const noexcept;  // map_mutex_ held
  // The pipeline of node number `node`, made on first use (a pipeline is never removed: the pointer stays valid).
  redis_pipeline& pipeline_of(std::int16_t node);
  // The master of `slot` and its pipeline; loads the slot map when it has none for it. Throws sio::redis_error.
  route route_of(int slot);
  // A routed from spare_ (refilled from returned_ when empty), or a new one.
  routed_ptr take_routed();
  // Hands an ended routed back for reuse (any thread), or frees it beyond max_spare.
  void recycle(routed* command) noexcept;
  // Queues `command` on `to`'s pipeline, which then owns it (`command` is left empty); when the pipeline throws,
  // `command` still holds it.
  void send(routed_ptr& command, route to, bool asking);
  // A node answered `command` (on that node's I/O thread); `reported`: it has a completion of its caller's.
  void on_reply(routed* command, bool reported, const command_outcome& outcome);
  void finish(routed_ptr command, const command_outcome& outcome);
  void settle_one() noexcept;  // one more command ended (its completion returned); wakes a waiting flush
  void run();  // the router thread: resends redirected commands, reloads the slot map when asked

  const redis_endpoint seeds_;
  const std::chrono::milliseconds connect_timeout_;
  const std::chrono::milliseconds command_timeout_;
  const reconnect_policy reconnect_;

  std::mutex load_mutex_;  // one slot-map load at a time; taken before map_mutex_

  mutable std::shared_mutex map_mutex_;  // guards the slot map and the node table
  std::vector<redis_address> nodes_;     // every node seen as a master; index = node number
  std::vector<std::unique_ptr<redis_pipeline>> pipelines_;  // per node, made on first use; never removed
  std::array<std::int16_t, cluster_slot_count> slot_owner_{};  // node number, -1: unknown
  bool map_loaded_ = false;

  // The counters, outside any lock: a publish and its reply each touch them once. settled_total_ grows after a
  // command's completion returned (and, for a failure without one, after unreported_ has it); a flush waits on
  // settled_cv_ under mutex_ and says so in settle_waiters_, and only then does an ending command take mutex_ to wake
  // it.
  //
  // Ended commands are reused (their strings keep their capacity): node I/O threads hand them back into returned_
  // (a reply without a completion that succeeded does not even touch its routed, so its cache lines stay with the
  // publisher that fills it again); a publisher whose spare_ is empty swaps the whole of returned_ in.
  //
  // What publishers write per publish and what I/O threads write per reply lie on separate cache lines: sharing one,
  // each publish and each reply moved it from one core to the other.
  static constexpr std::size_t cache_line = 64;
  alignas(cache_line) std::atomic<std::uint64_t> queued_total_{0};  // publishers
  std::mutex spare_mutex_;                                         // publishers only; taken before returned_mutex_
  std::vector<routed*> spare_;
  alignas(cache_line) std::atomic<std::uint64_t> settled_total_{0};  // I/O threads
  std::atomic<std::uint64_t> acknowledged_total_{0};
  std::atomic<std::uint64_t> failed_total_{0};
  std::atomic<unsigned> settle_waiters_{0};  // written by flushes only
  std::mutex returned_mutex_;
  std::vector<routed*> returned_;  // at most max_spare

  alignas(cache_line) mutable std::mutex mutex_;  // guards what follows (off the I/O threads' line)
  std::condition_variable settled_cv_;
  std::condition_variable work_cv_;
  bool reload_wanted_ = false;
  std::chrono::steady_clock::time_point last_load_{};
  bool stopping_ = false;
  unreported_failures unreported_;
  std::deque<redirect_job> redirects_;

  std::thread router_thread_;
};

}  // namespace sio::detail
