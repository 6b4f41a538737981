#include "sio/backoff.hpp"

#include <algorithm>
#include <random>

namespace sio {

std::chrono::milliseconds backoff_bound(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                        unsigned attempt) noexcept {
  base = std::max(base, std::chrono::milliseconds(1));
  cap = std::max(cap, base);
  auto bound = base;
  // Doubling stops at the cap, so a large attempt number cannot overflow.
  for (unsigned i = 0; i < attempt && bound < cap; ++i) bound *= 2;
  return std::min(bound, cap);
}

std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                        unsigned attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(0, backoff_bound(base, cap, attempt).count());
  return std::chrono::milliseconds(pick(random));
}

}  // namespace sio
