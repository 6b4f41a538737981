#include "engineio/handshake_limiter.hpp"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace sio::gateway::engineio {

handshake_limiter::handshake_limiter(double rate, double burst, std::size_t max_addresses)
    : limits_{std::max(rate, 0.0), std::max(burst, 1.0)}, max_addresses_{std::max<std::size_t>(max_addresses, 2)} {}

bool handshake_limiter::admit(std::string_view address, clock::time_point now, std::chrono::seconds& retry_after) {
  retry_after = std::chrono::seconds::zero();
  if (!enabled()) return true;
  auto it = buckets_.find(std::string{address});
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_addresses_) make_room(now);
    it = buckets_.emplace(std::string{address}, token_bucket{limits_, now}).first;
  }
  if (it->second.try_take(limits_, now)) return true;
  retry_after = std::max(std::chrono::seconds{1},
                         std::chrono::ceil<std::chrono::seconds>(it->second.wait_for_token(limits_, now)));
  return false;
}

// Buckets that are full again are dropped first: forgetting them changes no answer. If most addresses are still
// active (a flood from many addresses), the least recently seen half goes too: those addresses start over with a
// full bucket, a small leniency that keeps the table, and the time spent here, bounded.
void handshake_limiter::make_room(clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.full(limits_, now); });
  const std::size_t keep = max_addresses_ / 2;
  if (buckets_.size() <= keep) return;
  std::vector<std::pair<clock::time_point, std::string>> by_age;
  by_age.reserve(buckets_.size());
  for (const auto& [address, bucket] : buckets_) by_age.emplace_back(bucket.last_seen(), address);
  const auto cut = by_age.begin() + static_cast<std::ptrdiff_t>(by_age.size() - keep);
  std::nth_element(by_age.begin(), cut, by_age.end());
  for (auto it = by_age.begin(); it != cut; ++it) buckets_.erase(it->second);
}

}  // namespace sio::gateway::engineio
