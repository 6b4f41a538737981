// sio-gateway's command line (/tmp/gateway-cli.md): `sio-gateway [options]` serves, `sio-gateway token ...` mints
// a JWT. Flags win over environment variables. Parsed with CLI11 in command_line.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "app/log.hpp"
#include "sio/error.hpp"
#include "sio/options.hpp"

namespace sio::gateway::app {

// The Redis failures at start exit as notify's do (README: Exit codes): unreachable 4, refused (AUTH, ACL, an error
// reply) 5, no answer in time 6, TLS 11.
enum exit_status : int {
  exit_ok = 0,
  exit_failure = 1,
  exit_usage = 2,
  exit_redis_unreachable = 4,
  exit_redis_refused = 5,
  exit_redis_timeout = 6,
  exit_tls_failed = 11,
};
exit_status exit_status_for(sio::errc code) noexcept;

enum class auth_mode { jwt, trusted };

struct serve_config {
  std::string redis_url;
  bool redis_url_is_default = false;  // neither --redis nor REDIS_URL: the failures say so (default_redis_url.hpp)
  sio::TlsOptions tls;  // rediss:// (or --tls): the CA, client certificate and name, as notify takes them
  std::string host;
  std::uint16_t port = 3000;
  std::string key;
  // The adapter the fleet's Node servers run, as notify's --mode: classic (createAdapter) or sharded
  // (createShardedAdapter, `key` as its channelPrefix, with their subscriptionMode).
  sio::Options::adapter_mode mode = sio::Options::adapter_mode::classic;
  sio::Options::subscription_mode subscription = sio::Options::subscription_mode::dynamic;
  // streams (createAdapter of @socket.io/redis-streams-adapter, `key` as its channelPrefix): its streamName and
  // streamCount; with connection state recovery, the servers' sessionKeyPrefix and maxDisconnectionDuration.
  std::string stream_name = "socket.io";
  std::size_t stream_count = 1;
  bool recovery = false;
  std::string session_key_prefix = "sio:session:";
  std::chrono::milliseconds max_disconnection_duration{120000};
  std::vector<std::string> namespaces{"/"};
  auth_mode auth = auth_mode::jwt;
  std::string jwt_secret;
  std::chrono::milliseconds jwt_leeway{0};
  bool jwt_exp_optional = false;  // accept tokens without exp (which never expire)
  std::vector<std::string> cors_origins;
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::size_t max_payload = 1000000;
  std::size_t max_send_queue = 1024 * 1024;  // bytes waiting per connection; 0 = unbounded
  // Engine.IO connections at once, 0 = unlimited; not given: what the descriptor limit holds (main.cpp), so that
  // the default never refuses a client the process could serve.
  std::optional<std::size_t> max_connections;
  // Per client address: off by default, since behind a load balancer or a NAT every client has one address; on with
  // --handshake-rate (and --max-pending-per-address) for clients that connect with their own addresses.
  double handshake_rate = 0;                 // per second per client address; 0 = off
  double handshake_burst = 1000;
  std::size_t max_connect_payload = 16 * 1024;     // largest message before a namespace is joined
  // Bytes all unauthenticated clients may make the gateway buffer, 0 = unbounded; not given: sized to the connection
  // limit (main.cpp: default_preauth_memory), so that a reconnect storm of every client it holds is not refused.
  std::optional<std::size_t> preauth_memory;
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_pending_per_address = 0;         // unauthenticated TCP connections per address; 0 = off
  std::size_t max_inbound_rate = 1000000;          // bytes per second one client may send; 0 = off
  std::vector<std::string> trusted_proxies;        // --trust-proxy CIDR...
  std::string admin_host;                          // --admin-listen: /healthz and /metrics there only
  std::uint16_t admin_port = 0;
  bool admin_listen = false;
  std::chrono::milliseconds connect_timeout{45000};
  bool serve_requests = true;
  log_level level = log_level::info;
  std::string demo_client_js;  // the socket.io-client browser bundle for the demo page; empty: looked for
                               // (app/demo_client.hpp)
};

// What sio-gateway logs when Redis fails at start: the library's message, which for a Redis it cannot reach at the
// default URL also says that the URL is the default and how to give another, in notify's words.
std::string redis_start_error(const serve_config& c, const sio::error& e);

struct token_config {
  std::string user;
  std::chrono::seconds ttl{3600};
  std::string secret;
};

// What to do: serve, print a token, or exit at once with this status (help, or a usage error already printed).
using command = std::variant<serve_config, token_config, int>;

// A command-line fault: printed as one line, exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses argv (and the environment): help and usage errors are printed here (the latter as one line on stderr).
command parse_command_line(int argc, const char* const* argv);

}  // namespace sio::gateway::app
