#include "sio/internal/redis/cluster_router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "sio/error.hpp"

namespace sio::detail {

namespace {

using clock = std::chrono::steady_clock;

// A resharding answers MOVED for slot after slot: one CLUSTER SLOTS per burst is enough.
constexpr auto min_reload_interval = std::chrono::milliseconds(100);

// Ended commands kept for reuse: enough for the replies one read of a node's I/O thread ends in a burst; beyond it
// they are freed. At most twice this many are kept (returned_ and spare_): under 4 MB with their strings.
constexpr std::size_t max_spare = 4096;

// Buffered commands of a node that stays away go back to the router after the command timeout: it may know a new
// owner of their slots by then.
reconnect_policy with_give_up(reconnect_policy policy, std::chrono::milliseconds command_timeout) {
  if (policy.max_buffered_messages > 0) policy.give_up_buffered_after = command_timeout;
  return policy;
}

}  // namespace

struct cluster_router::routed {
  std::string verb;
  std::string channel;
  std::string payload;
  std::vector<std::string> between;
  int slot = 0;
  std::int16_t node = -1;  // the node it was last sent to (whose host an empty MOVED/ASK host means)
  bool may_buffer = false;
  int redirects = 0;
  // None: a failure is reported by flush().
  command_completion done;
};

void cluster_router::routed_release::operator()(routed* command) const noexcept {
  command->done = {};  // the caller's captures go now, not when the routed is reused
  router->recycle(command);
}

void cluster_router::recycle(routed* command) noexcept {
  {
    std::lock_guard lock(returned_mutex_);
    if (returned_.size() < max_spare) {
      returned_.push_back(command);  // reserved: no allocation, no throw
      return;
    }
  }
  delete command;
}

cluster_router::cluster_router(redis_endpoint seeds, std::chrono::milliseconds connect_timeout,
                               std::chrono::milliseconds command_timeout, reconnect_policy reconnect)
    : seeds_(std::move(seeds)),
      connect_timeout_(connect_timeout),
      command_timeout_(command_timeout),
      reconnect_(with_give_up(reconnect, command_timeout)) {
  slot_owner_.fill(-1);
  spare_.reserve(max_spare);
  returned_.reserve(max_spare);
  router_thread_ = std::thread([this] { run(); });
}

cluster_router::~cluster_router() {
  {
    std::unique_lock lock(mutex_);
    ++settle_waiters_;
    settled_cv_.wait_for(lock, command_timeout_, [&] { return settled_total_.load() >= queued_total_.load(); });
    --settle_waiters_;
    stopping_ = true;
  }
  work_cv_.notify_all();
  router_thread_.join();
  // Each pipeline waits for its own replies; a redirect among them now fails at once (stopping_).
  std::unique_lock map_lock(map_mutex_);
  auto pipelines = std::move(pipelines_);
  map_lock.unlock();
  pipelines.clear();
  // Every command has ended and come back: free them.
  redirects_.clear();  // empty by now (the router thread drained it)
  for (auto* spare : spare_) delete spare;
  for (auto* spare : returned_) delete spare;
}

void cluster_router::load_slot_map(std::optional<int> needed_slot) {
  std::lock_guard loading(load_mutex_);
  if (needed_slot) {
    std::shared_lock lock(map_mutex_);
    if (owner_known(*needed_slot)) return;  // another caller loaded it meanwhile
  }
  // Known masters first (the cluster as it was), then the seeds (the cluster as configured).
  std::vector<redis_address> candidates;
  {
    std::shared_lock lock(map_mutex_);
    candidates = nodes_;
  }
  for (const auto& seed : seeds_.nodes)
    if (std::find(candidates.begin(), candidates.end(), seed) == candidates.end()) candidates.push_back(seed);

  const auto topology = ask_cluster_slots(seeds_, candidates, connect_timeout_, command_timeout_);
  std::unique_lock lock(map_mutex_);
  slot_owner_.fill(-1);
  for (const auto& range : topology.ranges()) {
    const auto node = node_number(range.master);
    std::fill(slot_owner_.begin() + range.first, slot_owner_.begin() + range.last + 1, node);
  }
  map_loaded_ = true;
  lock.unlock();
  std::lock_guard state(mutex_);
  last_load_ = clock::now();
}

cluster_topology ask_cluster_slots(const redis_endpoint& seeds, const std::vector<redis_address>& candidates,
                                   std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds command_timeout) {
  std::string failures;
  std::optional<redis_error> first_error;
  for (const auto& candidate : candidates) {
    try {
      redis_connection connection(seeds.at(candidate), connect_timeout, command_timeout);
      const std::array<redis_command, 1> slots{redis_command{"CLUSTER", "SLOTS"}};
      auto reply = std::move(connection.pipeline(slots).front());
      throw_if_error(reply, fmt::format("CLUSTER SLOTS on {}", candidate.text()), acl_user_of(seeds));
      auto topology = cluster_topology::from_cluster_slots(reply, candidate.host);
      if (topology.ranges().empty())
        throw redis_error(errc::reply, fmt::format("{} has no slots assigned (is the cluster created?)",
                                                   candidate.text()));
      return topology;
    } catch (const auth_error&) {
      throw;  // wrong credentials are wrong on every node
    } catch (const tls_error&) {
      throw;
    } catch (const redis_error& e) {
      failures += fmt::format("{}{}: {}", failures.empty() ? "" : "; ", candidate.text(), e.what());
      if (!first_error) first_error = e;
    }
  }
  const auto message = fmt::format("cannot load the slot map of the Redis Cluster {}: {}", seeds.describe(), failures);
  if (first_error && first_error->code() == errc::timeout) throw timeout_error(message);
  if (first_error && first_error->code() != errc::connection) throw_redis_error(first_error->code(), message);
  throw connection_error(message);
}

std::int16_t cluster_router::node_number(const redis_address& address) {
  const auto it = std::find(nodes_.begin(), nodes_.end(), address);
  if (it != nodes_.end()) return static_cast<std::int16_t>(it - nodes_.begin());
  nodes_.push_back(address);
  pipelines_.emplace_back();
  return static_cast<std::int16_t>(nodes_.size() - 1);
}

bool cluster_router::owner_known(int slot) const noexcept {
  return map_loaded_ && slot_owner_[static_cast<std::size_t>(slot)] >= 0;
}

redis_pipeline& cluster_router::pipeline_of(std::int16_t node) {
  const auto n = static_cast<std::size_t>(node);
  {
    std::shared_lock lock(map_mutex_);
    if (const auto& pipeline = pipelines_[n]) return *pipeline;
  }
  std::unique_lock lock(map_mutex_);
  auto& pipeline = pipelines_[n];
  if (!pipeline)
    pipeline = std::make_unique<redis_pipeline>(seeds_.at(nodes_[n]), connect_timeout_, command_timeout_, reconnect_);
  return *pipeline;
}

cluster_router::route cluster_router::route_of(int slot) {
  // One shared lock on the way of a publish: slot -> node number -> its pipeline (no address compared or copied).
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::int16_t node = -1;
    {
      std::shared_lock lock(map_mutex_);
      if (owner_known(slot)) {
        node = slot_owner_[static_cast<std::size_t>(slot)];
        if (const auto& pipeline = pipelines_[static_cast<std::size_t>(node)]) return {node, pipeline.get()};
      } else if (map_loaded_ && attempt > 0) {
        break;
      }
    }
    if (node >= 0) return {node, &pipeline_of(node)};  // the node's first command
    load_slot_map(slot);  // first use, or a slot nobody served when the map was loaded
  }
  throw redis_error(errc::reply,
                    fmt::format("no master of the Redis Cluster {} serves slot {} (is the cluster still being set up?)",
                                seeds_.describe(), slot));
}

void cluster_router::connect(std::string_view key) { route_of(key_slot(key)).pipeline->connect(); }

cluster_router::routed_ptr cluster_router::take_routed() {
  routed* reused = nullptr;
  {
    std::lock_guard lock(spare_mutex_);
    if (spare_.empty()) {
      // returned_mutex_ once per batch of ended commands, not once per publish; both keep their capacity.
      std::lock_guard returned(returned_mutex_);
      spare_.swap(returned_);
    }
    if (!spare_.empty()) {
      reused = spare_.back();
      spare_.pop_back();
    }
  }
  return routed_ptr(reused != nullptr ? reused : new routed(), {this});
}

void cluster_router::enqueue(const command& cmd, command_completion done, bool may_buffer) {
  const int slot = key_slot(cmd.channel);
  const auto to = route_of(slot);
  // The arguments are copied into a reused routed (their strings keep their capacity: no allocation once warm),
  // kept until the reply in case the command must be sent again.
  auto taken = take_routed();
  ++queued_total_;
  try {
    taken->verb.assign(cmd.verb);
    taken->channel.assign(cmd.channel);
    taken->payload.assign(cmd.payload);
    taken->between.assign(cmd.between.begin(), cmd.between.end());
    taken->slot = slot;
    taken->may_buffer = may_buffer;
    taken->redirects = 0;
    taken->done = std::move(done);
    send(taken, to, false);
  } catch (...) {
    --queued_total_;  // not queued: the caller gets the exception instead (`taken` goes back for reuse)
    throw;
  }
}

void cluster_router::send(routed_ptr& command, route to, bool asking) {
  routed& c = *command;
  c.node = to.node;
  // From here the node's pipeline owns the command: its completion hands it back to on_reply. A raw pointer in
  // the completion (it then fits in place: no allocation) and back into `command` if the pipeline refuses it (it
  // throws before queueing, and never calls the completion then).
  auto on_reply = [this, raw = command.release(), reported = static_cast<bool>(c.done)](
                      const command_outcome& outcome) { this->on_reply(raw, reported, outcome); };
  try {
    if (asking)
      to.pipeline->enqueue_after_asking(c.verb, c.channel, c.payload, c.between, std::move(on_reply));
    else
      to.pipeline->enqueue(c.verb, c.channel, c.payload, std::move(on_reply), c.may_buffer, c.between);
  } catch (...) {
    command.reset(&c);
    throw;
  }
}

void cluster_router::on_reply(routed* raw, bool reported, const command_outcome& outcome) {
  if (outcome.code == errc::ok && !reported) {
    // The common case, kept off the routed's cache lines: acknowledged, nobody to tell, back for reuse.
    acknowledged_total_.fetch_add(1, std::memory_order_relaxed);
    recycle(raw);
    settle_one();
    return;
  }
  routed_ptr command(raw, {this});
  std::optional<cluster_redirect> redirect;
  bool resend = false;
  if (outcome.code != errc::ok && outcome.reply.kind == redis_reply::type::error) {
    std::string node_host;  // what an empty host in MOVED/ASK means
    {
      std::shared_lock lock(map_mutex_);
      node_host = nodes_[static_cast<std::size_t>(command->node)].host;
    }
    redirect = parse_redirect(outcome.reply.text, node_host);
    resend = redirect.has_value();
  } else if (outcome.code == errc::connection && !outcome.sent) {
    resend = true;
  }
  if (resend && command->redirects < max_redirects) {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      if (!redirect || redirect->type == cluster_redirect::kind::moved) reload_wanted_ = true;
      redirects_.push_back(redirect_job{std::move(command), std::move(redirect)});
      work_cv_.notify_one();
      return;
    }
  }
  // A node that stopped answering may have failed over: the next commands should find its successor.
  if (outcome.code == errc::connection || outcome.code == errc::timeout) {
    std::lock_guard lock(mutex_);
    reload_wanted_ = true;
    work_cv_.notify_one();
  }
  finish(std::move(command), outcome);
}

void cluster_router::finish(routed_ptr command, const command_outcome& outcome) {
  const bool reported = static_cast<bool>(command->done);
  if (reported) command->done(outcome);
  if (outcome.code == errc::ok) {
    acknowledged_total_.fetch_add(1, std::memory_order_relaxed);
  } else {
    failed_total_.fetch_add(1, std::memory_order_relaxed);
    if (!reported) {
      std::lock_guard lock(mutex_);
      unreported_.record(outcome.code, outcome.message);
    }
  }
  command.reset();  // back for reuse
  settle_one();
}

void cluster_router::settle_one() noexcept {
  // Settled last: a flush that returns has seen the completion and the failure. A waiter counted itself before it
  // checked settled_total_ under mutex_ (both sequentially consistent): either it sees this command settled, or
  // this sees it waiting and wakes it, through mutex_ so that the wake-up cannot fall between its check and its
  // wait.
  settled_total_.fetch_add(1);
  if (settle_waiters_.load() != 0) {
    { std::lock_guard lock(mutex_); }
    settled_cv_.notify_all();
  }
}

void cluster_router::run() {
  for (;;) {
    std::deque<redirect_job> jobs;
    bool reload = false;
    {
      std::unique_lock lock(mutex_);
      for (;;) {
        if (stopping_ || !redirects_.empty()) break;
        if (!reload_wanted_) {
          work_cv_.wait(lock);
          continue;
        }
        const auto due = last_load_ + min_reload_interval;
        if (clock::now() >= due) break;
        work_cv_.wait_until(lock, due);
      }
      if (stopping_) {
        jobs.swap(redirects_);
        lock.unlock();
        for (auto& job : jobs) {
          // The message first: finish() takes the command.
          auto message = fmt::format(
              "{} {}: the emitter was closed before the command, {}, could be resent", job.command->verb,
              job.command->channel,
              !job.redirect                                          ? "not sent to an unreachable node"
              : job.redirect->type == cluster_redirect::kind::moved ? "redirected by the cluster (MOVED)"
                                                                     : "redirected by the cluster (ASK)");
          finish(std::move(job.command), {errc::connection, std::move(message), {}});
        }
        return;
      }
      jobs.swap(redirects_);
      reload = reload_wanted_ && clock::now() - last_load_ >= min_reload_interval;
      if (reload) reload_wanted_ = false;
    }
    if (reload) {
      try {
        load_slot_map();
      } catch (const redis_error&) {
        // Commands still go where the redirects say; the next failure asks for a reload again.
      }
    }
    for (auto& job : jobs) {
      auto& command = job.command;
      ++command->redirects;
      try {
        if (!job.redirect) {
          send(command, route_of(command->slot), false);
          continue;
        }
        std::int16_t node = -1;
        {
          std::unique_lock lock(map_mutex_);
          node = node_number(job.redirect->node);
          // MOVED: the node named owns the slot now, whatever an older map said.
          if (job.redirect->type == cluster_redirect::kind::moved)
            slot_owner_[static_cast<std::size_t>(job.redirect->slot)] = node;
        }
        send(command, {node, &pipeline_of(node)}, job.redirect->type == cluster_redirect::kind::ask);
      } catch (const redis_error& e) {
        finish(std::move(command), {e.code(), e.what(), {}});
      }
    }
  }
}

void cluster_router::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto target = queued_total_.load();
  ++settle_waiters_;
  const bool settled = settled_cv_.wait_for(lock, timeout, [&] { return settled_total_.load() >= target; });
  --settle_waiters_;
  if (!settled)
    throw timeout_error(fmt::format("flush: {} command(s) to the Redis Cluster {} still unanswered after {} ms",
                                    target - settled_total_.load(), seeds_.describe(), timeout.count()));
  const auto failures = std::exchange(unreported_, {});
  lock.unlock();
  failures.throw_if_any();
}

pipeline_counters cluster_router::counters() const {
  pipeline_counters total;
  {
    std::shared_lock lock(map_mutex_);
    for (const auto& pipeline : pipelines_)
      if (pipeline) total.reconnects += pipeline->counters().reconnects;
  }
  const auto settled = settled_total_.load();  // before queued_total_: a command is queued before it settles
  total.queued = queued_total_.load();
  total.acknowledged = acknowledged_total_.load();
  total.failed = failed_total_.load();
  total.in_flight = static_cast<std::size_t>(total.queued - settled);
  return total;
}

}  // namespace sio::detail
