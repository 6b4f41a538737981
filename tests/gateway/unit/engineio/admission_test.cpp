// What unauthenticated clients may hold (admission.hpp), the inbound rate's debt (token_bucket::take), and whose
// forwarding headers are believed (trusted_proxies): pure policies, no sockets.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/beast/http/field.hpp>

#include "engineio/admission.hpp"
#include "engineio/token_bucket.hpp"
#include "engineio/trusted_proxies.hpp"

using namespace sio::gateway::engineio;
using namespace std::chrono_literals;

TEST_CASE("preauth budget: reservations add up to the total, and each gives back what it took once") {
  preauth_budget budget{100};
  auto a = budget.reserve(60);
  CHECK(a.held());
  CHECK(budget.used() == 60);
  CHECK_FALSE(budget.reserve(41).held());
  auto b = budget.reserve(40);
  CHECK(b.held());
  CHECK(budget.used() == 100);
  a.release();
  a.release();  // twice: given back once
  CHECK(budget.used() == 40);
  {
    auto moved = std::move(b);
    CHECK(budget.used() == 40);
  }  // the moved-to reservation gives back on destruction, the moved-from one nothing
  CHECK(budget.used() == 0);
  b.release();
  CHECK(budget.used() == 0);
}

TEST_CASE("preauth budget: sessions may fill three quarters, requests the rest") {
  preauth_budget budget{400};
  auto s1 = budget.reserve_for_session(200);
  auto s2 = budget.reserve_for_session(100);
  CHECK(s1.held());
  CHECK(s2.held());
  CHECK_FALSE(budget.reserve_for_session(1).held());
  auto request = budget.reserve(100);
  CHECK(request.held());
  CHECK(budget.used() == 400);
}

TEST_CASE("preauth budget: 0 means unbounded, still counted") {
  preauth_budget budget{0};
  auto big = budget.reserve(std::size_t{1} << 40);
  CHECK(big.held());
  CHECK(budget.reserve_for_session(std::size_t{1} << 40).held());
  CHECK(budget.used() == (std::size_t{1} << 40));
}

TEST_CASE("pending connections: per address, released slots count no more") {
  pending_connections pending{2};
  auto a1 = pending.acquire("10.0.0.1");
  auto a2 = pending.acquire("10.0.0.1");
  CHECK(a1.held());
  CHECK(a2.held());
  CHECK_FALSE(pending.acquire("10.0.0.1").held());
  CHECK(pending.acquire("10.0.0.2").held());  // (released at once: a temporary)
  CHECK(pending.pending("10.0.0.2") == 0);
  a1.release();
  CHECK(pending.pending("10.0.0.1") == 1);
  auto a3 = pending.acquire("10.0.0.1");
  CHECK(a3.held());
  preauth_hold hold{{}, std::move(a3)};
  CHECK(pending.pending("10.0.0.1") == 2);
  hold.release();
  CHECK(pending.pending("10.0.0.1") == 1);
  pending_connections unlimited{0};
  std::optional<pending_connections::slot> slots[3];
  for (auto& s : slots) s = unlimited.acquire("10.0.0.3");
  CHECK(unlimited.pending("10.0.0.3") == 3);
}

TEST_CASE("token bucket: take goes into debt and says how long until it is paid") {
  const token_bucket_limits limits{1000.0, 2000.0};  // 1000 bytes per second, bursts of 2000
  const auto t0 = token_bucket::clock::time_point{} + 1h;
  token_bucket bucket{limits, t0};
  CHECK(bucket.take(limits, t0, 1500) == token_bucket::clock::duration::zero());
  CHECK(bucket.take(limits, t0, 1500) == 1000ms);  // 1000 bytes of debt at 1000 per second
  CHECK(bucket.take(limits, t0 + 1000ms, 500) == 500ms);
  CHECK(bucket.take(limits, t0 + 10s, 1000) == token_bucket::clock::duration::zero());  // refilled to the burst
}

namespace {

http_request request_with(std::initializer_list<std::pair<std::string, std::string>> headers) {
  http_request req{boost::beast::http::verb::get, "/socket.io/?EIO=4&transport=polling", 11};
  for (const auto& [name, value] : headers) req.insert(name, value);
  return req;
}

}  // namespace

TEST_CASE("trusted proxies: addresses and CIDR ranges, IPv4 and IPv6, IPv4-mapped peers") {
  const trusted_proxies proxies{{"10.0.0.0/8", "192.168.1.10", "fd00::/8", "::1"}};
  CHECK(proxies.contains("10.1.2.3"));
  CHECK(proxies.contains("::ffff:10.1.2.3"));  // a dual-stack listener's view of an IPv4 peer
  CHECK_FALSE(proxies.contains("11.0.0.1"));
  CHECK(proxies.contains("192.168.1.10"));
  CHECK_FALSE(proxies.contains("192.168.1.11"));
  CHECK(proxies.contains("fd12::1"));
  CHECK_FALSE(proxies.contains("fe80::1"));
  CHECK(proxies.contains("::1"));
  CHECK_FALSE(proxies.contains("not an address"));
  CHECK(trusted_proxies{{"0.0.0.0/0"}}.contains("203.0.113.9"));
  CHECK(trusted_proxies{}.empty());
  CHECK_FALSE(trusted_proxies{}.contains("127.0.0.1"));
}

TEST_CASE("trusted proxies: what is not an address or a range is refused, naming it") {
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::1/129", "example.com", "10.0.0.0/8/8"}) {
    CAPTURE(bad);
    const std::string named = std::string{"--trust-proxy "} + bad + ":";
    CHECK_THROWS_WITH_AS(trusted_proxies{{bad}}, doctest::Contains(named.c_str()), std::invalid_argument);
  }
}

TEST_CASE("trusted proxies: the client is the right-most forwarded hop that is not a trusted proxy") {
  const trusted_proxies proxies{{"10.0.0.0/8"}};
  // From a trusted proxy.
  CHECK(proxies.client_address("10.0.0.1", request_with({{"X-Forwarded-For", "203.0.113.7"}})) == "203.0.113.7");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"X-Forwarded-For", "198.51.100.1, 203.0.113.7, 10.0.0.2"}})) ==
        "203.0.113.7");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"X-Forwarded-For", "198.51.100.1"}, {"X-Forwarded-For", "10.0.0.5"}})) ==
        "198.51.100.1");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"Forwarded", R"(for=192.0.2.60;proto=http;by=203.0.113.43)"}})) ==
        "192.0.2.60");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"Forwarded", R"(For="[2001:db8:cafe::17]:4711", for=10.0.0.9)"}})) ==
        "2001:db8:cafe::17");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"Forwarded", "for=192.0.2.43:8080"}})) == "192.0.2.43");
  // Forwarded wins over X-Forwarded-For when both are there.
  CHECK(proxies.client_address("10.0.0.1", request_with({{"X-Forwarded-For", "198.51.100.9"}, {"Forwarded", "for=192.0.2.1"}})) ==
        "192.0.2.1");
  // No header, only trusted hops, or a hop that is no address: as far back as the chain can be followed.
  CHECK(proxies.client_address("10.0.0.1", request_with({})) == "10.0.0.1");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"X-Forwarded-For", "10.0.0.7"}})) == "10.0.0.7");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"X-Forwarded-For", "198.51.100.1, unknown"}})) == "10.0.0.1");
  CHECK(proxies.client_address("10.0.0.1", request_with({{"Forwarded", "for=_hidden"}})) == "10.0.0.1");
  // From anyone else the headers are ignored: they are spoofable.
  CHECK(proxies.client_address("203.0.113.50", request_with({{"X-Forwarded-For", "198.51.100.1"}})) == "203.0.113.50");
  CHECK(proxies.client_address("203.0.113.50", request_with({{"Forwarded", "for=198.51.100.1"}})) == "203.0.113.50");
}
