// app/command_line: sio-gateway's flags, their defaults and environment variables, and the usage errors.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "app/command_line.hpp"

using namespace std::chrono_literals;
namespace app = sio::gateway::app;

namespace {

// sio-gateway's command line with `args` after "--auth trusted" (no secret needed).
auto parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"sio-gateway", "--auth", "trusted"};
  argv.insert(argv.end(), args.begin(), args.end());
  return sio::gateway::app::parse_command_line(static_cast<int>(argv.size()), argv.data());
}

// What parse_command_line writes to `fd` (2: its usage errors; 1: --help) for `argv`, and its exit code.
std::pair<std::string, int> output_of(int fd, const std::vector<const char*>& argv) {
  std::FILE* stream = fd == 1 ? stdout : stderr;
  std::fflush(stream);
  std::FILE* capture = std::tmpfile();
  REQUIRE(capture != nullptr);
  const int saved = ::dup(fd);
  ::dup2(::fileno(capture), fd);
  const auto result = sio::gateway::app::parse_command_line(static_cast<int>(argv.size()), argv.data());
  std::fflush(stream);
  ::dup2(saved, fd);
  ::close(saved);
  std::string text;
  std::rewind(capture);
  for (int c = std::fgetc(capture); c != EOF; c = std::fgetc(capture)) text += static_cast<char>(c);
  std::fclose(capture);
  return {text, std::holds_alternative<int>(result) ? std::get<int>(result) : 0};
}

std::pair<std::string, int> stderr_of(const std::vector<const char*>& argv) { return output_of(2, argv); }

}  // namespace

TEST_CASE("app: the limit flags and their defaults") {
  namespace app_ns = sio::gateway::app;
  const auto defaults = parse({});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(defaults));
  const auto& d = std::get<app_ns::serve_config>(defaults);
  CHECK(d.max_send_queue == 1024 * 1024);
  // Defaults that never refuse clients sharing one address (a load balancer's, a NAT's): no connection limit but
  // the descriptor limit (sized at start), no per-address handshake rate.
  CHECK_FALSE(d.max_connections.has_value());
  CHECK(d.handshake_rate == 0);
  CHECK(d.handshake_burst == 1000);

  const auto given = parse({"--max-send-queue", "0", "--max-connections", "500", "--handshake-rate", "2.5",
                            "--handshake-burst", "5"});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(given));
  const auto& g = std::get<app_ns::serve_config>(given);
  CHECK(g.max_send_queue == 0);
  CHECK(g.max_connections == std::optional<std::size_t>{500});
  const auto unlimited = parse({"--max-connections", "0"});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(unlimited));
  CHECK(std::get<app_ns::serve_config>(unlimited).max_connections == std::optional<std::size_t>{0});
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

TEST_CASE("app: the gateway takes every Redis URL the library takes: one server, a cluster's seeds, sentinels") {
  namespace app_ns = sio::gateway::app;
  for (const char* url : {"redis+cluster://127.0.0.1:7000,127.0.0.1:7001", "redis+sentinel://127.0.0.1:26379/mymaster",
                          "redis://127.0.0.1:7000", "unix:///tmp/redis.sock"}) {
    const auto c = parse({"--redis", url});
    REQUIRE(std::holds_alternative<app_ns::serve_config>(c));
    CHECK(std::get<app_ns::serve_config>(c).redis_url == url);
  }
  const auto [text, code] = stderr_of({"sio-gateway", "--auth", "trusted", "--redis", "redis+sentinel://127.0.0.1:26379"});
  CHECK(code == app_ns::exit_usage);
  CHECK(text.starts_with("sio-gateway: --redis: "));
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
  CHECK_FALSE(d.preauth_memory.has_value());  // sized to the connection limit at start
  CHECK(d.request_timeout == std::chrono::seconds{10});
  CHECK(d.max_pending_per_address == 0);
  CHECK(d.max_inbound_rate == 1000000);
  CHECK(d.trusted_proxies.empty());
  CHECK_FALSE(d.admin_listen);

  const auto given = parse({"--max-connect-payload", "4096", "--preauth-memory", "0", "--request-timeout", "2s",
                            "--max-pending-per-address", "1000", "--max-inbound-rate", "0", "--trust-proxy", "10.0.0.0/8",
                            "--trust-proxy", "::1", "--admin-listen", "[::1]:9100"});
  REQUIRE(std::holds_alternative<app_ns::serve_config>(given));
  const auto& g = std::get<app_ns::serve_config>(given);
  CHECK(g.max_connect_payload == 4096);
  CHECK(g.preauth_memory == std::optional<std::size_t>{0});
  CHECK(g.request_timeout == std::chrono::seconds{2});
  CHECK(g.max_pending_per_address == 1000);
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

TEST_CASE("app: a URL the gateway cannot take says which it takes, Cluster and Sentinel included (issue 25)") {
  const auto [text, code] = stderr_of({"sio-gateway", "--auth", "trusted", "--redis", "http://x"});
  CHECK(code == app::exit_usage);
  CHECK(text.find("unsupported scheme \"http\"") != std::string::npos);
  CHECK(text.find("redis+cluster://") != std::string::npos);
  CHECK(text.find("redis+sentinel://") != std::string::npos);
}

TEST_CASE("app: a zero duration where zero is not allowed says so, not that it is no duration (issue 25)") {
  const auto [text, code] = stderr_of(
      {"sio-gateway", "token", "--user", "1", "--ttl", "0s", "--jwt-secret", "0123456789abcdef0123456789abcdef"});
  CHECK(code == app::exit_usage);
  CHECK(text == "sio-gateway: --ttl 0s: must be more than 0\n");
}

TEST_CASE("app: Redis failures at start exit as notify's do: 4 unreachable, 5 refused, 6 timeout, 11 TLS") {
  CHECK(app::exit_status_for(sio::errc::connection) == 4);
  CHECK(app::exit_status_for(sio::errc::auth) == 5);  // a wrong password: notify exits 5, the gateway exited 4
  CHECK(app::exit_status_for(sio::errc::reply) == 5);
  CHECK(app::exit_status_for(sio::errc::timeout) == 6);
  CHECK(app::exit_status_for(sio::errc::tls) == 11);
}

TEST_CASE("app: --help names each environment variable once (issue 25: the TLS ones were printed twice)") {
  const auto [text, code] = output_of(1, {"sio-gateway", "--help"});
  CHECK(code == 0);
  const auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
  std::size_t variables = 0;
  for (std::size_t at = text.find("(Env:"); at != std::string::npos; at = text.find("(Env:", at + 1)) {
    const std::size_t end = text.find(')', at);
    REQUIRE(end != std::string::npos);
    const std::string name = text.substr(at + 5, end - at - 5);
    std::size_t count = 0;  // whole names only: SIO_TLS_CERT is not counted in SIO_TLS_CERT_FILE
    for (std::size_t p = text.find(name); p != std::string::npos; p = text.find(name, p + 1)) {
      if (p + name.size() == text.size() || !name_char(text[p + name.size()])) ++count;
    }
    CHECK_MESSAGE(count == 1, name, " appears ", count, " times in --help");
    ++variables;
  }
  CHECK(variables >= 6);  // the five TLS ones and SIO_JWT_EXP_OPTIONAL at least
}

TEST_CASE("app: a Redis the gateway cannot reach at the default URL is called the default, as notify says") {
  ::unsetenv("REDIS_URL");
  const auto defaulted = parse({});
  REQUIRE(std::holds_alternative<app::serve_config>(defaulted));
  const auto& d = std::get<app::serve_config>(defaulted);
  CHECK(d.redis_url == "redis://127.0.0.1:6379");
  CHECK(d.redis_url_is_default);
  CHECK(app::redis_start_error(d, sio::connection_error("cannot connect to Redis at redis://127.0.0.1:6379/0: "
                                                        "Connection refused")) ==
        "cannot connect to Redis at redis://127.0.0.1:6379/0 (the default: give --redis URL or set REDIS_URL): "
        "Connection refused");
  CHECK(app::redis_start_error(d, sio::timeout_error("cannot connect to Redis at redis://127.0.0.1:6379/0 within "
                                                     "45000 ms: Connection timed out")) ==
        "cannot connect to Redis at redis://127.0.0.1:6379/0 (the default: give --redis URL or set REDIS_URL) within "
        "45000 ms: Connection timed out");
  // A refusal is the server's answer, not a question of where it is.
  CHECK(app::redis_start_error(d, sio::auth_error("PUBLISH x failed: NOAUTH Authentication required.")) ==
        "PUBLISH x failed: NOAUTH Authentication required.");

  const auto flag = parse({"--redis", "redis://127.0.0.1:6379"});
  REQUIRE(std::holds_alternative<app::serve_config>(flag));
  CHECK_FALSE(std::get<app::serve_config>(flag).redis_url_is_default);
  CHECK(app::redis_start_error(std::get<app::serve_config>(flag),
                               sio::connection_error("cannot connect to Redis at redis://127.0.0.1:6379/0: x")) ==
        "cannot connect to Redis at redis://127.0.0.1:6379/0: x");
  ::setenv("REDIS_URL", "redis://127.0.0.1:6379", 1);
  const auto env = parse({});
  ::unsetenv("REDIS_URL");
  REQUIRE(std::holds_alternative<app::serve_config>(env));
  CHECK_FALSE(std::get<app::serve_config>(env).redis_url_is_default);
}

TEST_CASE("app: --mode and --subscription-mode, from flags or the environment, checked and blamed on their source") {
  const auto sharded = parse({"--mode", "sharded", "--subscription-mode", "dynamic-private"});
  REQUIRE(std::holds_alternative<app::serve_config>(sharded));
  CHECK(std::get<app::serve_config>(sharded).mode == sio::Options::adapter_mode::sharded);
  CHECK(std::get<app::serve_config>(sharded).subscription == sio::Options::subscription_mode::dynamic_private);
  const auto classic = parse({});
  REQUIRE(std::holds_alternative<app::serve_config>(classic));
  CHECK(std::get<app::serve_config>(classic).mode == sio::Options::adapter_mode::classic);
  CHECK(std::get<app::serve_config>(classic).subscription == sio::Options::subscription_mode::dynamic);

  CHECK(stderr_of({"sio-gateway", "--auth", "trusted", "--mode", "bogus"}).first ==
        "sio-gateway: --mode bogus: use classic, sharded or streams\n");
  ::setenv("SIO_SUBSCRIPTION_MODE", "bogus", 1);
  const auto [env_text, env_code] = stderr_of({"sio-gateway", "--auth", "trusted", "--mode", "sharded"});
  ::unsetenv("SIO_SUBSCRIPTION_MODE");
  CHECK(env_code == app::exit_usage);
  CHECK(env_text == "sio-gateway: SIO_SUBSCRIPTION_MODE (from the environment) bogus: use dynamic, static or "
                    "dynamic-private\n");
  CHECK(stderr_of({"sio-gateway", "--auth", "trusted", "--mode", "sharded", "--no-serve-requests"}).first.starts_with(
      "sio-gateway: --no-serve-requests cannot be used with --mode sharded"));
}

TEST_CASE("app: --mode streams, its stream options and connection state recovery") {
  const auto streams = parse({"--mode", "streams", "--stream-name", "events", "--stream-count", "3",
                              "--connection-state-recovery", "--max-disconnection-duration", "30s",
                              "--session-key-prefix", "s:"});
  REQUIRE(std::holds_alternative<app::serve_config>(streams));
  const auto& c = std::get<app::serve_config>(streams);
  CHECK(c.mode == sio::Options::adapter_mode::streams);
  CHECK(c.stream_name == "events");
  CHECK(c.stream_count == 3);
  CHECK(c.recovery);
  CHECK(c.max_disconnection_duration == std::chrono::seconds(30));
  CHECK(c.session_key_prefix == "s:");
  const auto defaults = parse({"--mode", "streams"});
  REQUIRE(std::holds_alternative<app::serve_config>(defaults));
  CHECK_FALSE(std::get<app::serve_config>(defaults).recovery);
  CHECK(std::get<app::serve_config>(defaults).max_disconnection_duration == std::chrono::minutes(2));
  CHECK(std::get<app::serve_config>(defaults).session_key_prefix == "sio:session:");

  CHECK(stderr_of({"sio-gateway", "--auth", "trusted", "--connection-state-recovery"}).first ==
        "sio-gateway: --connection-state-recovery needs --mode streams: the classic and sharded adapters keep no "
        "sessions (a Node server on them never recovers one either)\n");
  CHECK(stderr_of({"sio-gateway", "--auth", "trusted", "--stream-name", "x"}).first ==
        "sio-gateway: --stream-name is a streams adapter option: add --mode streams\n");
  CHECK(stderr_of({"sio-gateway", "--auth", "trusted", "--mode", "streams", "--max-disconnection-duration", "1m"})
            .first == "sio-gateway: --max-disconnection-duration and --session-key-prefix need "
                      "--connection-state-recovery\n");
  CHECK(stderr_of({"sio-gateway", "--auth", "trusted", "--mode", "streams", "--no-serve-requests"})
            .first.starts_with("sio-gateway: --no-serve-requests cannot be used with --mode streams"));
  ::setenv("SIO_CONNECTION_STATE_RECOVERY", "yes", 1);
  const auto [env_text, env_code] = stderr_of({"sio-gateway", "--auth", "trusted", "--mode", "streams"});
  ::unsetenv("SIO_CONNECTION_STATE_RECOVERY");
  CHECK(env_code == app::exit_usage);
  CHECK(env_text == "sio-gateway: SIO_CONNECTION_STATE_RECOVERY (from the environment) yes: use 1 or 0 (true or "
                    "false)\n");
  ::setenv("SIO_CONNECTION_STATE_RECOVERY", "1", 1);
  const auto from_env = parse({"--mode", "streams"});
  ::unsetenv("SIO_CONNECTION_STATE_RECOVERY");
  REQUIRE(std::holds_alternative<app::serve_config>(from_env));
  CHECK(std::get<app::serve_config>(from_env).recovery);
}
