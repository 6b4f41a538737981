// Channel names and the uid format (the reconnect backoff is sio/backoff.hpp's: tests/unit/test_backoff.cpp).
#include <doctest/doctest.h>

#include "adapter/adapter_engine.hpp"
#include "sio/internal/protocol/channels.hpp"

using namespace sio::gateway::adapter;
using namespace std::chrono_literals;

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
