// The executable's header-only helpers (gateway/src/app/): durations, JSON log lines and `token`. They live beside
// the http tests because app/ has no library target of its own (main.cpp includes them).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
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
