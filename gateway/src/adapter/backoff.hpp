// Reconnect delays: exponential backoff with full jitter, bounded by [min, max].
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace sio::gateway::adapter {

// Uniform in [min, min(max, min * 2^attempt)]: attempt 0 waits `min`, later attempts spread out so many gateways
// losing the same Redis do not reconnect in lockstep.
template <class Rng>
std::chrono::milliseconds reconnect_delay(std::chrono::milliseconds min, std::chrono::milliseconds max,
                                          unsigned attempt, Rng& rng) {
  const std::int64_t lo = std::max<std::int64_t>(min.count(), 0);
  const std::int64_t hi = std::max<std::int64_t>(max.count(), lo);
  std::int64_t cap = lo;
  for (unsigned i = 0; i < attempt && cap < hi; ++i) cap = std::max<std::int64_t>(cap * 2, 1);
  cap = std::min(cap, hi);
  return std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(lo, cap)(rng));
}

}  // namespace sio::gateway::adapter
