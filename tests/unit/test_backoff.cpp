// sio's one backoff rule (sio/backoff.hpp): the library's reconnects, notify --retry and sio-gateway's Redis
// reconnects all wait with it.
#include <doctest/doctest.h>

#include <vector>

#include "sio/backoff.hpp"

using namespace std::chrono_literals;

TEST_CASE("backoff_bound: doubles from the base up to the cap, never overflowing") {
  const std::vector<long long> expected{100, 200, 400, 800, 1600, 3200, 5000, 5000};
  for (unsigned attempt = 0; attempt < expected.size(); ++attempt)
    CHECK(sio::backoff_bound(100ms, 5000ms, attempt).count() == expected[attempt]);
  CHECK(sio::backoff_bound(100ms, 5000ms, 4'000'000'000u) == 5000ms);
  CHECK(sio::backoff_bound(300ms, 100ms, 0) == 300ms);  // a cap below the base: the base is the cap
  CHECK(sio::backoff_bound(300ms, 100ms, 5) == 300ms);
  CHECK(sio::backoff_bound(0ms, 0ms, 3) == 1ms);        // the base is at least 1 ms
}

TEST_CASE("backoff_delay: full jitter, uniform in [0, bound]") {
  bool low = false;
  bool high = false;
  for (int i = 0; i < 2000; ++i) {
    const auto d = sio::backoff_delay(100ms, 5000ms, 3);
    CHECK(d >= 0ms);
    CHECK(d <= 800ms);
    low = low || d < 200ms;
    high = high || d > 600ms;
    CHECK(sio::backoff_delay(100ms, 5000ms, 30) <= 5000ms);
  }
  CHECK(low);   // spread over the whole range, not clustered at the bound
  CHECK(high);
}
