// retry.hpp: --retry, --retry-delay and --deadline: run an operation again when Redis was unreachable or did not
// answer in time, after an exponential backoff with full jitter, within an optional bound on the whole run.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "exit_codes.hpp"
#include "options.hpp"
#include "sio/error.hpp"

namespace notify {

struct retry_policy {
  int retries = 0;                                    // attempts after the first (--retry)
  std::chrono::milliseconds base_delay{100};          // bound of the first backoff (--retry-delay)
  std::chrono::milliseconds max_delay{2000};          // no bound grows past this (unless base_delay is larger)
  std::optional<std::chrono::milliseconds> deadline;  // the whole run: attempts and backoff (--deadline)
  std::chrono::milliseconds timeout{5000};            // one attempt's --timeout, cut to the time left

  static retry_policy from(const cli_options& options);

  // Without --retry and --deadline a failure is reported as it always was.
  bool active() const { return retries > 0 || deadline.has_value(); }
};

// Everything the loop takes from the world, so that a test can run it on a fake clock with loaded dice.
struct retry_world {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::milliseconds(std::chrono::milliseconds)> draw;  // uniform in [0, bound]
  std::function<void(std::string_view)> note;                                // the -v lines; empty: quiet

  static retry_world real(bool verbose);
};

// Bound of the delay before retry number `retry` (0: the first): sio's one backoff rule (sio/backoff.hpp), with
// --retry-delay as its base and max_delay as its cap. `draw` then picks the delay in [0, bound] (full jitter).
std::chrono::milliseconds backoff_bound(const retry_policy& policy, int retry);

// Redis unreachable (connection refused, reset or lost) or silent (timeout): another attempt may succeed. Bad
// input, refusals (auth, ACL, error replies) and unexpected answers are not.
bool transient(const sio::error& e);

// Returns attempt(timeout)'s exit code: outcomes are never retried, only transient sio::errors thrown. `timeout`
// is --timeout, or less: the time left before the deadline. Other errors propagate as they are. When retries
// run out, or the deadline passes, throws sio::redis_error with the last failure's code and the message "gave up
// after A attempts in T ms: <last error>" (the last error unchanged when the policy is not active).
exit_code run_with_retry(const retry_policy& policy, const retry_world& world,
                         const std::function<exit_code(std::chrono::milliseconds timeout)>& attempt);

}  // namespace notify
