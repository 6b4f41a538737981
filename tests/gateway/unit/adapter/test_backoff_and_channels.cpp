// Reconnect backoff bounds, channel names and the uid format.
#include <doctest/doctest.h>

#include <random>

#include "adapter/adapter_engine.hpp"
#include "adapter/backoff.hpp"
#include "sio/internal/protocol/channels.hpp"

using namespace sio::gateway::adapter;
using namespace std::chrono_literals;

TEST_CASE("reconnect_delay: full jitter between min and min*2^attempt, capped at max") {
  std::mt19937_64 rng(1);
  CHECK(reconnect_delay(100ms, 5000ms, 0, rng) == 100ms);
  bool spread = false;
  for (int i = 0; i < 200; ++i) {
    const auto d3 = reconnect_delay(100ms, 5000ms, 3, rng);
    CHECK(d3 >= 100ms);
    CHECK(d3 <= 800ms);
    spread = spread || d3 > 400ms;
    const auto d30 = reconnect_delay(100ms, 5000ms, 30, rng);
    CHECK(d30 >= 100ms);
    CHECK(d30 <= 5000ms);
  }
  CHECK(spread);
  CHECK(reconnect_delay(300ms, 100ms, 5, rng) == 300ms);  // max below min: min wins
}

TEST_CASE("channels_for: the classic adapter's names (PROTOCOL 1.2, 3.1)") {
  const auto c = sio::detail::classic_channels_for("myapp", "/admin", "Ab3_-x");
  CHECK(c.broadcast_prefix == "myapp#/admin#");
  CHECK(c.broadcast_pattern == "myapp#/admin#*");
  CHECK(c.request == "myapp-request#/admin#");
  CHECK(c.response == "myapp-response#/admin#");
  CHECK(c.own_response == "myapp-response#/admin#Ab3_-x#");
}

TEST_CASE("uids: 6 characters of uid2's alphabet, one per process") {
  const std::string a = random_uid();
  CHECK(a.size() == 6);
  CHECK(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos);
  CHECK(process_uid() == process_uid());
  CHECK(process_uid().size() == 6);
}
