// The executable's header-only helpers (gateway/src/app/): durations, JSON log lines, their throttle and `token`.
// They live beside the http tests because app/ has no library target of its own (main.cpp includes them).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <rapidjson/document.h>

#include "app/command_line.hpp"
#include "app/duration.hpp"
#include "app/log.hpp"
#include "app/token.hpp"

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

TEST_CASE("app: a log line is one JSON object with ts, level, msg and the fields, whatever the text") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  const app::logger log{app::log_level::info, f};
  log.debug("not shown");
  log.info("listening", {{"port", 3000}, {"url", "http://127.0.0.1:3000"}, {"tricky", "a\"b\n{c}"}, {"ok", true}});
  std::rewind(f);
  char buffer[1024] = {};
  REQUIRE(std::fgets(buffer, sizeof buffer, f) != nullptr);
  CHECK(std::fgets(buffer + 1000, 10, f) == nullptr);  // exactly one line: the debug one was filtered out
  std::fclose(f);
  rapidjson::Document doc;
  doc.Parse(buffer);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string{doc["level"].GetString()} == "info");
  CHECK(std::string{doc["msg"].GetString()} == "listening");
  CHECK(doc["port"].GetInt() == 3000);
  CHECK(std::string{doc["tricky"].GetString()} == "a\"b\n{c}");
  CHECK(doc["ok"].GetBool());
  const std::string ts = doc["ts"].GetString();
  CHECK(ts.size() == 24);  // 2026-11-29T02:10:00.123Z
  CHECK(ts[10] == 'T');
  CHECK(ts.back() == 'Z');
}

TEST_CASE("app: iso_timestamp writes UTC with milliseconds as toISOString does") {
  const std::chrono::system_clock::time_point t{1764336000123ms};
  CHECK(app::iso_timestamp(t) == "2025-11-28T13:20:00.123Z");
}

namespace {

// A clock that stands still until the test moves it.
struct manual_clock {
  app::log_throttle::clock::time_point now{};
  app::log_throttle::clock_function function() {
    return [this] { return now; };
  }
};

// Every line written to `f` so far, each parsed as JSON.
std::vector<rapidjson::Document> json_lines(std::FILE* f) {
  std::rewind(f);
  std::vector<rapidjson::Document> out;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, f) != nullptr) {
    out.emplace_back().Parse(buffer);
    REQUIRE_FALSE(out.back().HasParseError());
  }
  return out;
}

}  // namespace

TEST_CASE("app: log_throttle lets N lines of a key through per interval, then counts the rest for the next one") {
  manual_clock clock;
  app::log_throttle throttle{5, 10s, clock.function()};
  for (int i = 0; i < 5; ++i) CHECK(throttle.admit("flood") == std::optional<std::uint64_t>{0});
  CHECK_FALSE(throttle.admit("flood"));
  CHECK_FALSE(throttle.admit("flood"));
  CHECK(throttle.admit("another message") == std::optional<std::uint64_t>{0});  // its own allowance
  clock.now += 9999ms;
  CHECK_FALSE(throttle.admit("flood"));
  clock.now += 1ms;  // the first 5 are an interval old: the next line passes and says 3 were held back
  CHECK(throttle.admit("flood") == std::optional<std::uint64_t>{3});
  CHECK(throttle.admit("flood") == std::optional<std::uint64_t>{0});
}

TEST_CASE("app: log_throttle counts a sliding interval, not fixed windows") {
  manual_clock clock;
  app::log_throttle throttle{2, 10s, clock.function()};
  CHECK(throttle.admit("m"));  // at 0 s
  clock.now += 6s;
  CHECK(throttle.admit("m"));  // at 6 s
  clock.now += 5s;
  CHECK(throttle.admit("m") == std::optional<std::uint64_t>{0});  // at 11 s: the one at 0 s has left the interval
  CHECK_FALSE(throttle.admit("m"));                                // but 6 s and 11 s are within 10 s
  clock.now += 4s;
  CHECK_FALSE(throttle.admit("m"));  // at 15 s: 6 s is 9 s old
  clock.now += 1s;
  CHECK(throttle.admit("m") == std::optional<std::uint64_t>{2});  // at 16 s
}

TEST_CASE("app: log_throttle shared by threads lets exactly N through and counts every line held back") {
  manual_clock clock;
  app::log_throttle throttle{5, 10s, clock.function()};
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (throttle.admit("from every thread")) ++passed;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(passed == 5);
  clock.now += 10s;
  CHECK(throttle.admit("from every thread") == std::optional<std::uint64_t>{3995});
}

TEST_CASE("app: log_throttle forgets idle keys past 1024, but not one that owes a count") {
  manual_clock clock;
  app::log_throttle throttle{1, 10s, clock.function()};
  CHECK(throttle.admit("owes"));
  CHECK_FALSE(throttle.admit("owes"));
  for (int i = 0; i < 1023; ++i) throttle.admit("key " + std::to_string(i));
  CHECK(throttle.keys() == 1024);
  CHECK_FALSE(throttle.admit("key 0"));  // now "key 0" owes a count too
  clock.now += 10s;
  CHECK(throttle.admit("one more") == std::optional<std::uint64_t>{0});
  CHECK(throttle.keys() == 3);  // "owes", "key 0" (held back one) and "one more"
  CHECK(throttle.admit("owes") == std::optional<std::uint64_t>{1});
}

TEST_CASE("app: throttled_logger writes suppressed on the next line that passes, and skipped levels cost nothing") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  const app::logger log{app::log_level::warn, f};
  manual_clock clock;
  app::throttled_logger throttled{log, 2, 10s, clock.function()};
  for (int i = 0; i < 10; ++i) throttled.info("malformed adapter message");  // below --log-level: not counted
  for (int i = 0; i < 5; ++i) throttled.warn("malformed adapter message", {{"channel", "socket.io#/#"}, {"n", i}});
  throttled.error("cannot accept", {{"error", "too many open files"}});
  clock.now += 10s;
  throttled.warn("malformed adapter message", {{"channel", "socket.io-request#/#"}, {"reason", "opts missing"}});
  const auto lines = json_lines(f);
  std::fclose(f);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["n"].GetInt() == 0);
  CHECK(lines[1]["n"].GetInt() == 1);
  CHECK_FALSE(lines[1].HasMember("suppressed"));
  CHECK(std::string{lines[2]["msg"].GetString()} == "cannot accept");
  const auto& last = lines[3];
  CHECK(std::string{last["level"].GetString()} == "warn");
  CHECK(std::string{last["msg"].GetString()} == "malformed adapter message");
  CHECK(std::string{last["channel"].GetString()} == "socket.io-request#/#");
  CHECK(std::string{last["reason"].GetString()} == "opts missing");
  CHECK(last["suppressed"].GetUint64() == 3);
}

TEST_CASE("app: token is the HS256 JWT {sub, iat, exp} that Node's createHmac signs identically") {
  const std::chrono::system_clock::time_point t{1764336000s};
  // Checked with node: createHmac("sha256", "secret").update(header + "." + claims).digest("base64url").
  // Claims: {"exp":1764339600,"iat":1764336000,"sub":"42"}.
  CHECK(app::mint_token("42", "secret", 3600s, t) ==
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3NjQzMzk2MDAsImlhdCI6MTc2NDMzNjAwMCwic3ViIjoiNDIifQ."
        "nfMJ9ls7XVRBqhNj_WxDkv-VKl_bdWYcCxbA-zE07Mk");
}

namespace {

// sio-gateway's command line with `args` after "--auth trusted" (no secret needed).
auto parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"sio-gateway", "--auth", "trusted"};
  argv.insert(argv.end(), args.begin(), args.end());
  return sio::gateway::app::parse_command_line(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("app: the limit flags and their defaults") {
  namespace app_ns = sio::gateway::app;
  const auto defaults = parse({});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(defaults));
  const auto& d = std::get<app_ns::serve_config>(defaults);
  CHECK(d.max_send_queue == 1024 * 1024);
  CHECK(d.max_connections == 10000);
  CHECK(d.handshake_rate == 100);
  CHECK(d.handshake_burst == 1000);

  const auto given = parse({"--max-send-queue", "0", "--max-connections", "500", "--handshake-rate", "2.5",
                            "--handshake-burst", "5"});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(given));
  const auto& g = std::get<app_ns::serve_config>(given);
  CHECK(g.max_send_queue == 0);
  CHECK(g.max_connections == 500);
  CHECK(g.handshake_rate == 2.5);
  CHECK(g.handshake_burst == 5);

  // Out of range: a usage error (exit status 2), reported on stderr.
  CHECK(std::get<int>(parse({"--handshake-rate", "-1"})) == app_ns::exit_usage);
  CHECK(std::get<int>(parse({"--handshake-burst", "0"})) == app_ns::exit_usage);
}

TEST_CASE("app: the TLS flags reach the adapter's options, and a certificate needs its key") {
  namespace app_ns = sio::gateway::app;
  const auto plain = parse({});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(plain));
  CHECK_FALSE(std::get<app_ns::serve_config>(plain).tls.enabled);
  CHECK(std::get<app_ns::serve_config>(plain).tls.verify_peer);

  const auto given = parse({"--redis", "rediss://redis.internal:6380", "--tls-ca-file", "/etc/ca.pem", "--tls-ca-dir",
                            "/etc/cas", "--tls-cert", "/etc/c.pem", "--tls-key", "/etc/c.key", "--tls-server-name",
                            "redis.example", "--tls-insecure"});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(given));
  const auto& tls = std::get<app_ns::serve_config>(given).tls;
  CHECK(tls.ca_file == "/etc/ca.pem");
  CHECK(tls.ca_dir == "/etc/cas");
  CHECK(tls.cert_file == "/etc/c.pem");
  CHECK(tls.key_file == "/etc/c.key");
  CHECK(tls.server_name == "redis.example");
  CHECK_FALSE(tls.verify_peer);
  CHECK(std::get<app_ns::serve_config>(parse({"--tls"})).tls.enabled);

  CHECK(std::get<int>(parse({"--tls-cert", "/etc/c.pem"})) == app_ns::exit_usage);
  CHECK(std::get<int>(parse({"--tls-key", "/etc/c.key"})) == app_ns::exit_usage);
  CHECK(std::get<int>(parse({"--tls", "--redis", "unix:///tmp/redis.sock"})) == app_ns::exit_usage);
}

TEST_CASE("app: the gateway takes one Redis server, not a cluster's seeds or sentinels") {
  namespace app_ns = sio::gateway::app;
  CHECK(std::get<int>(parse({"--redis", "redis+cluster://127.0.0.1:7000,127.0.0.1:7001"})) == app_ns::exit_usage);
  CHECK(std::get<int>(parse({"--redis", "redis+sentinel://127.0.0.1:26379/mymaster"})) == app_ns::exit_usage);
  CHECK(std::holds_alternative<app_ns::serve_config>(parse({"--redis", "redis://127.0.0.1:7000"})));
}

TEST_CASE("app: a token must have exp unless --jwt-exp-optional or SIO_JWT_EXP_OPTIONAL says otherwise") {
  namespace app_ns = sio::gateway::app;
  const auto exp_optional = [](std::initializer_list<const char*> args) {
    const auto c = parse(args);
    REQUIRE(std::holds_alternative<app_ns::serve_config>(c));
    return std::get<app_ns::serve_config>(c).jwt_exp_optional;
  };
  ::unsetenv("SIO_JWT_EXP_OPTIONAL");
  CHECK_FALSE(exp_optional({}));
  CHECK(exp_optional({"--jwt-exp-optional"}));
  ::setenv("SIO_JWT_EXP_OPTIONAL", "1", 1);
  CHECK(exp_optional({}));
  ::setenv("SIO_JWT_EXP_OPTIONAL", "0", 1);
  CHECK_FALSE(exp_optional({}));
  CHECK(exp_optional({"--jwt-exp-optional"}));  // the flag wins
  ::setenv("SIO_JWT_EXP_OPTIONAL", "maybe", 1);
  CHECK(std::get<int>(parse({})) == app_ns::exit_usage);
  ::unsetenv("SIO_JWT_EXP_OPTIONAL");
}

TEST_CASE("app: the pre-authentication and fairness flags and their defaults") {
  namespace app_ns = sio::gateway::app;
  const auto defaults = parse({});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(defaults));
  const auto& d = std::get<app_ns::serve_config>(defaults);
  CHECK(d.max_connect_payload == 16 * 1024);
  CHECK(d.preauth_memory == 128 * 1024 * 1024);
  CHECK(d.request_timeout == std::chrono::seconds{10});
  CHECK(d.max_pending_per_address == 1000);
  CHECK(d.max_inbound_rate == 1000000);
  CHECK(d.trusted_proxies.empty());
  CHECK_FALSE(d.admin_listen);

  const auto given = parse({"--max-connect-payload", "4096", "--preauth-memory", "0", "--request-timeout", "2s",
                            "--max-pending-per-address", "0", "--max-inbound-rate", "0", "--trust-proxy", "10.0.0.0/8",
                            "--trust-proxy", "::1", "--admin-listen", "[::1]:9100"});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(given));
  const auto& g = std::get<app_ns::serve_config>(given);
  CHECK(g.max_connect_payload == 4096);
  CHECK(g.preauth_memory == 0);
  CHECK(g.request_timeout == std::chrono::seconds{2});
  CHECK(g.max_pending_per_address == 0);
  CHECK(g.max_inbound_rate == 0);
  CHECK(g.trusted_proxies == std::vector<std::string>{"10.0.0.0/8", "::1"});
  CHECK(g.admin_listen);
  CHECK(g.admin_host == "::1");
  CHECK(g.admin_port == 9100);

  const auto port_only = parse({"--admin-listen", "9100"});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(port_only));
  CHECK(std::get<app_ns::serve_config>(port_only).admin_host == "127.0.0.1");

  for (const char* bad : {"host:", ":9100", "127.0.0.1:70000", "127.0.0.1:x", "-1"}) {
    CAPTURE(bad);
    CHECK(std::get<int>(parse({"--admin-listen", bad})) == app_ns::exit_usage);
  }
  // A budget that cannot hold one CONNECT would refuse every client.
  CHECK(std::get<int>(parse({"--preauth-memory", "1000"})) == app_ns::exit_usage);
  CHECK(std::get<int>(parse({"--request-timeout", "0s"})) == app_ns::exit_usage);
  CHECK(std::get<int>(parse({"--max-connect-payload", "10"})) == app_ns::exit_usage);
}
