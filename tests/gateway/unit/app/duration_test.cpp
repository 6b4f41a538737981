// app/duration.hpp: the gateway's DURATION syntax (--ttl, --ping-interval, ...).
#include <doctest/doctest.h>

#include <chrono>

#include "app/duration.hpp"

using namespace std::chrono_literals;
namespace app = sio::gateway::app;

TEST_CASE("app: durations in ms, s, m, h, fractions and bare seconds") {
  CHECK(app::parse_duration("500ms") == 500ms);
  CHECK(app::parse_duration("25s") == 25s);
  CHECK(app::parse_duration("2m") == 2min);
  CHECK(app::parse_duration("1h") == 1h);
  CHECK(app::parse_duration("1.5s") == 1500ms);
  CHECK(app::parse_duration("0.25m") == 15s);
  CHECK(app::parse_duration("3") == 3s);
  CHECK(app::parse_duration("0s", true) == 0ms);
  CHECK_FALSE(app::parse_duration("0s"));
  for (const char* bad : {"", "s", "ms", "-1s", "1.s", "1.0001s", "1x", "1 s", "10000000h", "1e3"}) {
    CHECK_MESSAGE(!app::parse_duration(bad, true), bad);
  }
}
