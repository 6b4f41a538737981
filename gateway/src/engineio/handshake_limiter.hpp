// The per-address handshake rate limit: one token bucket per remote IP address, in a table whose size is bounded
// so that a flood from many addresses cannot grow memory without end.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engineio/token_bucket.hpp"

namespace sio::gateway::engineio {

class handshake_limiter {
 public:
  using clock = token_bucket::clock;

  // `rate` handshakes per second per address with bursts of `burst`; rate 0 turns the limit off. At most
  // `max_addresses` buckets are kept (see admit()).
  handshake_limiter(double rate, double burst, std::size_t max_addresses = 16384);

  bool enabled() const noexcept { return limits_.rate > 0; }

  // Whether `address` may open a session now (and takes its token); if not, `retry_after` is how long until it
  // may (at least one second: Retry-After counts whole seconds).
  bool admit(std::string_view address, clock::time_point now, std::chrono::seconds& retry_after);

  std::size_t tracked_addresses() const noexcept { return buckets_.size(); }

 private:
  void make_room(clock::time_point now);

  token_bucket_limits limits_;
  std::size_t max_addresses_;
  std::unordered_map<std::string, token_bucket> buckets_;
};

}  // namespace sio::gateway::engineio
