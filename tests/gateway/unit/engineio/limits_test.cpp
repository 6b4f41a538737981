// The gateway's limits as pure policies: the token bucket and the per-address handshake limiter (its answers
// and its bounded table), and the per-connection send queue bound.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "engineio/handshake_limiter.hpp"
#include "engineio/send_queue_policy.hpp"
#include "engineio/token_bucket.hpp"

using namespace sio::gateway::engineio;
using namespace std::chrono_literals;
using clock_type = token_bucket::clock;

TEST_CASE("token bucket: a burst, then the rate") {
  const token_bucket_limits limits{2.0, 3.0};  // 2 per second, bursts of 3
  const auto t0 = clock_type::time_point{} + 1h;
  token_bucket bucket{limits, t0};
  CHECK(bucket.full(limits, t0));
  for (int i = 0; i < 3; ++i) CHECK(bucket.try_take(limits, t0));
  CHECK_FALSE(bucket.try_take(limits, t0));
  CHECK(bucket.wait_for_token(limits, t0) == 500ms);
  auto early = bucket;  // a copy, so that its refill does not change the next checks
  CHECK_FALSE(early.try_take(limits, t0 + 499ms));
  CHECK(bucket.try_take(limits, t0 + 500ms));
  CHECK_FALSE(bucket.try_take(limits, t0 + 500ms));
  // A long quiet period refills up to the burst, never beyond.
  const auto later = t0 + 1h;
  CHECK(bucket.full(limits, later));
  for (int i = 0; i < 3; ++i) CHECK(bucket.try_take(limits, later));
  CHECK_FALSE(bucket.try_take(limits, later));
  // A clock that goes backwards (it does not with steady_clock, but) adds nothing.
  CHECK_FALSE(bucket.try_take(limits, t0));
}

TEST_CASE("handshake limiter: per address, with Retry-After in whole seconds") {
  handshake_limiter limiter{0.5, 2.0};  // one handshake every 2 s, bursts of 2
  const auto t0 = clock_type::time_point{} + 1h;
  std::chrono::seconds retry{0};
  CHECK(limiter.admit("10.0.0.1", t0, retry));
  CHECK(limiter.admit("10.0.0.1", t0, retry));
  CHECK(retry == 0s);
  CHECK_FALSE(limiter.admit("10.0.0.1", t0, retry));
  CHECK(retry == 2s);
  CHECK_FALSE(limiter.admit("10.0.0.1", t0 + 1500ms, retry));
  CHECK(retry == 1s);  // 0.5 s left: rounded up, never 0
  // Another address has its own bucket.
  CHECK(limiter.admit("10.0.0.2", t0, retry));
  CHECK(limiter.admit("10.0.0.1", t0 + 2s, retry));
  CHECK(limiter.tracked_addresses() == 2);
}

TEST_CASE("handshake limiter: rate 0 admits everything and tracks nothing") {
  handshake_limiter limiter{0, 1};
  CHECK_FALSE(limiter.enabled());
  std::chrono::seconds retry{0};
  for (int i = 0; i < 1000; ++i) CHECK(limiter.admit("10.0.0.1", clock_type::now(), retry));
  CHECK(limiter.tracked_addresses() == 0);
}

TEST_CASE("handshake limiter: a flood from many addresses keeps the table bounded") {
  handshake_limiter limiter{1.0, 1.0, 100};
  const auto t0 = clock_type::time_point{} + 1h;
  std::chrono::seconds retry{0};
  // Every address spends its only token: none is full again, so the least recently seen half is dropped.
  for (int i = 0; i < 10000; ++i) {
    CHECK(limiter.admit("10.1." + std::to_string(i), t0 + std::chrono::milliseconds{i / 100}, retry));
    CHECK(limiter.tracked_addresses() <= 100);
  }
  // The most recent addresses are still limited.
  CHECK_FALSE(limiter.admit("10.1.9999", t0 + 100ms, retry));
}

TEST_CASE("handshake limiter: buckets that refilled are forgotten first") {
  handshake_limiter limiter{10.0, 1.0, 4};
  const auto t0 = clock_type::time_point{} + 1h;
  std::chrono::seconds retry{0};
  CHECK(limiter.admit("busy", t0, retry));
  for (int i = 0; i < 3; ++i) CHECK(limiter.admit("idle" + std::to_string(i), t0 - 10s, retry));
  CHECK(limiter.tracked_addresses() == 4);
  CHECK(limiter.admit("new", t0, retry));  // the idle ones refilled long ago: dropped
  CHECK(limiter.tracked_addresses() == 2);
  CHECK_FALSE(limiter.admit("busy", t0, retry));  // still remembered, still limited
}

TEST_CASE("send queue: past the bound overflows, an empty queue takes any one packet") {
  const send_queue_policy policy{1000};
  CHECK_FALSE(policy.overflows(0, 10));
  CHECK_FALSE(policy.overflows(0, 5000));  // one large packet alone is not a slow reader
  CHECK_FALSE(policy.overflows(990, 10));
  CHECK(policy.overflows(990, 11));
  CHECK(policy.overflows(1, 1000));
  const send_queue_policy unbounded{0};
  CHECK_FALSE(unbounded.overflows(std::size_t{1} << 40, 1));
}
