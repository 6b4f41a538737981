#include "retry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "output.hpp"
#include "sio/backoff.hpp"

namespace notify {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

std::string attempts_text(int attempts) {
  return attempts == 1 ? std::string("1 attempt") : fmt::format("{} attempts", attempts);
}

}  // namespace

retry_policy retry_policy::from(const cli_options& o) {
  retry_policy policy;
  policy.retries = o.retries;
  policy.base_delay = o.retry_delay;
  policy.deadline = o.deadline;
  policy.timeout = o.timeout;
  return policy;
}

retry_world retry_world::real(bool verbose) {
  // Seeded per process: cron jobs started in the same second must not retry in lockstep.
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  retry_world world;
  world.now = [] { return steady::now(); };
  world.sleep = [](milliseconds delay) { std::this_thread::sleep_for(delay); };
  world.draw = [engine](milliseconds bound) {
    std::uniform_int_distribution<milliseconds::rep> uniform(0, bound.count());
    return milliseconds{uniform(*engine)};
  };
  if (verbose) world.note = [](std::string_view message) { print_note(message); };
  return world;
}

milliseconds backoff_bound(const retry_policy& policy, int retry) {
  return sio::backoff_bound(policy.base_delay, policy.max_delay, static_cast<unsigned>(std::max(retry, 0)));
}

bool transient(const sio::error& e) {
  if (dynamic_cast<const sio::redis_error*>(&e) == nullptr) return false;
  return e.code() == sio::errc::connection || e.code() == sio::errc::timeout;
}

exit_code run_with_retry(const retry_policy& policy, const retry_world& world,
                         const std::function<exit_code(milliseconds timeout)>& attempt) {
  const steady::time_point started = world.now();
  std::optional<steady::time_point> end;
  if (policy.deadline) end = started + *policy.deadline;
  const auto time_left = [&] { return std::chrono::duration_cast<milliseconds>(*end - world.now()); };
  const auto note = [&](const std::string& message) {
    if (world.note) world.note(message);
  };
  const auto gave_up = [&](int attempts, const sio::redis_error& last) {
    const auto elapsed = std::chrono::duration_cast<milliseconds>(world.now() - started);
    return sio::redis_error(last.code(),
                            fmt::format("gave up after {} in {} ms: {}", attempts_text(attempts), elapsed.count(),
                                        last.what()));
  };

  std::optional<sio::redis_error> last;
  for (int attempts = 1;; ++attempts) {
    milliseconds timeout = policy.timeout;
    if (end) {
      const milliseconds left = time_left();
      if (last && left <= milliseconds{0}) throw gave_up(attempts - 1, *last);  // none starts after the deadline
      timeout = std::clamp(left, milliseconds{1}, policy.timeout);
    }
    try {
      return attempt(timeout);
    } catch (const sio::error& e) {
      if (!policy.active() || !transient(e)) throw;
      last.emplace(e.code(), e.what());
    }
    if (attempts > policy.retries) throw gave_up(attempts, *last);

    const milliseconds delay = world.draw(backoff_bound(policy, attempts - 1));
    if (end) {
      const milliseconds left = time_left();
      if (delay >= left) {
        // The backoff is cut to the deadline, after which no attempt may start: the run lasts its budget.
        if (left > milliseconds{0}) {
          note(fmt::format("attempt {} failed: {}; no retry: the deadline passes in {} ms", attempts, last->what(),
                           left.count()));
          world.sleep(left);
        }
        throw gave_up(attempts, *last);
      }
    }
    note(fmt::format("attempt {} failed: {}; retrying in {} ms", attempts, last->what(), delay.count()));
    world.sleep(delay);
  }
}

}  // namespace notify
