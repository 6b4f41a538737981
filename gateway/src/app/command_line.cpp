#include "app/command_line.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <tuple>
#include <utility>

#include <CLI/CLI.hpp>

#include "app/duration.hpp"
#include "common/default_redis_url.hpp"
#include "sio/error.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/version.hpp"

namespace sio::gateway::app {

// The flags' helpers, used by parse_command_line only.
namespace detail {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string{v} : fallback;
}

std::chrono::milliseconds duration_option(const std::string& flag, const std::string& text, bool allow_zero) {
  const auto d = parse_duration(text, allow_zero);
  if (!d && !allow_zero && parse_duration(text, true)) throw usage_error{flag + " " + text + ": must be more than 0"};
  if (!d) {
    throw usage_error{flag + " " + text + ": not a duration (examples: 500ms, 25s, 2m, 1h" +
                      (allow_zero ? ", 0s" : "") + ")"};
  }
  return *d;
}

std::string read_secret_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in) throw usage_error{"--jwt-secret-file " + path + ": cannot read the file"};
  std::string secret{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) throw usage_error{"--jwt-secret-file " + path + ": the file is empty"};
  return secret;
}

// --jwt-secret S, --jwt-secret-file F, else $SIO_JWT_SECRET. Empty when none is given.
std::string jwt_secret(const CLI::Option* secret_flag, const std::string& secret, const CLI::Option* file_flag,
                              const std::string& file) {
  if (secret_flag->count() > 0 && file_flag->count() > 0) {
    throw usage_error{"--jwt-secret and --jwt-secret-file: give one, not both"};
  }
  if (secret_flag->count() > 0) {
    if (secret.empty()) throw usage_error{"--jwt-secret: the secret is empty"};
    return secret;
  }
  if (file_flag->count() > 0) return read_secret_file(file);
  return env_or("SIO_JWT_SECRET", "");
}

// --admin-listen HOST:PORT ([v6]:PORT, or a bare PORT for 127.0.0.1).
std::pair<std::string, std::uint16_t> listen_address(const std::string& text) {
  const auto fail = [&]() -> std::pair<std::string, std::uint16_t> {
    throw usage_error{"--admin-listen " + text + ": expected HOST:PORT (e.g. 127.0.0.1:9100, [::1]:9100) or PORT"};
  };
  std::string host = "127.0.0.1";
  std::string port = text;
  if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) return fail();
  }
  std::size_t used = 0;
  int number = -1;
  try {
    number = std::stoi(port, &used);
  } catch (const std::exception&) {
    return fail();
  }
  if (port.empty() || used != port.size() || number < 0 || number > 65535) return fail();
  return {host, static_cast<std::uint16_t>(number)};
}

// Comma- or space-separated list (an environment variable's form of a repeatable flag).
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text + ",") {
    if (c == ',' || c == ' ') {
      if (!item.empty()) out.push_back(std::move(item));
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

// "admin" means "/admin", as notify's --nsp reads it.
std::string namespace_name(const std::string& text) {
  if (text.empty()) throw usage_error{"--namespace: the namespace is empty"};
  return text.front() == '/' ? text : "/" + text;
}

}  // namespace
}  // namespace detail

exit_status exit_status_for(sio::errc code) noexcept {
  switch (code) {
    case sio::errc::auth:
    case sio::errc::reply:
    case sio::errc::protocol: return exit_redis_refused;
    case sio::errc::timeout: return exit_redis_timeout;
    case sio::errc::tls: return exit_tls_failed;
    case sio::errc::connection: return exit_redis_unreachable;
    default: return exit_failure;
  }
}

std::string redis_start_error(const serve_config& c, const sio::error& e) {
  const bool unreachable = e.code() == sio::errc::connection || e.code() == sio::errc::timeout;
  return c.redis_url_is_default && unreachable ? sio::programs::name_default_redis_url(e.what()) : e.what();
}

command parse_command_line(int argc, const char* const* argv) {
  CLI::App app{"sio-gateway: a Socket.IO v4 server that delivers what @socket.io/redis-emitter and notify publish"};
  app.set_version_flag("--version", "sio-gateway " SIO_VERSION_STRING);  // the project version (sio/version.h)
  app.footer(
      "Subcommand: sio-gateway token --user ID [--ttl DURATION] [--jwt-secret S | --jwt-secret-file F] prints an\n"
      "HS256 JWT for a client and exits; `sio-gateway token --help` lists its options. DURATIONs read as notify's:\n"
      "500ms, 25s, 1.5 (seconds), 2m, 1h.");

  std::string redis_url = detail::env_or("REDIS_URL", std::string(sio::programs::default_redis_url));
  std::string host = detail::env_or("SIO_GATEWAY_HOST", "127.0.0.1");
  int port = 3000;
  std::string key = detail::env_or("SIO_KEY", "socket.io");
  std::string mode = detail::env_or("SIO_MODE", "classic");
  std::string subscription_mode = detail::env_or("SIO_SUBSCRIPTION_MODE", "dynamic");
  std::string stream_name = detail::env_or("SIO_STREAM_NAME", "socket.io");
  std::size_t stream_count = 1;
  bool recovery = false;
  std::string session_key_prefix = detail::env_or("SIO_SESSION_KEY_PREFIX", "sio:session:");
  std::string max_disconnection = detail::env_or("SIO_MAX_DISCONNECTION_DURATION", "2m");
  std::vector<std::string> namespaces;
  std::string auth = detail::env_or("SIO_GATEWAY_AUTH", "jwt");
  std::string secret;
  std::string secret_file;
  std::string leeway = "0s";
  bool exp_optional = false;
  std::vector<std::string> cors;
  std::string ping_interval = "25s";
  std::string ping_timeout = "20s";
  std::size_t max_payload = 1000000;
  std::size_t max_send_queue = 1024 * 1024;
  std::size_t max_connections = 0;
  double handshake_rate = 0;
  double handshake_burst = 1000;
  std::string connect_timeout = "45s";
  std::size_t max_connect_payload = 16 * 1024;
  std::size_t preauth_memory = 0;
  std::string request_timeout = "10s";
  std::size_t max_pending_per_address = 0;
  std::size_t max_inbound_rate = 1000000;
  std::vector<std::string> trust_proxy;
  std::string admin_listen;
  sio::TlsOptions tls;
  bool tls_insecure = false;
  bool no_serve_requests = false;
  std::string level = "info";
  std::string demo_client_js = detail::env_or("SIO_GATEWAY_DEMO_CLIENT_JS", "");  // empty: looked for at start

  const auto* redis_flag =
      app.add_option("--redis", redis_url,
                     "Redis URL [REDIS_URL] (redis://[user[:password]@]host[:port][/db], rediss:// for TLS, unix://, "
                     "redis+cluster://host:port[,host:port...], redis+sentinel://host:port[,...]/master-name[/db])")
          ->capture_default_str();
  // The same TLS flags and environment variables as notify's (README: TLS).
  app.add_flag("--tls", tls.enabled, "use TLS with a redis:// URL (rediss:// always does)")->group("TLS");
  app.add_option("--tls-ca-file", tls.ca_file, "trusted CA certificates (PEM); default: the system's")
      ->envname("SIO_TLS_CA_FILE")
      ->group("TLS");
  app.add_option("--tls-ca-dir", tls.ca_dir, "directory of trusted CA certificates (openssl rehash)")
      ->envname("SIO_TLS_CA_DIR")
      ->group("TLS");
  const auto* tls_cert_flag =
      app.add_option("--tls-cert", tls.cert_file, "client certificate (PEM); needs --tls-key")
          ->envname("SIO_TLS_CERT")
          ->group("TLS");
  const auto* tls_key_flag =
      app.add_option("--tls-key", tls.key_file, "the client certificate's private key (PEM)")
          ->envname("SIO_TLS_KEY")
          ->group("TLS");
  app.add_option("--tls-server-name", tls.server_name,
                 "name to verify and send (SNI) when it differs from the URL's host")
      ->envname("SIO_TLS_SERVER_NAME")
      ->group("TLS");
  app.add_flag("--tls-insecure", tls_insecure, "skip certificate verification (testing only)")->group("TLS");
  app.add_option("--host", host, "address to listen on [SIO_GATEWAY_HOST]")->capture_default_str();
  const auto* port_flag =
      app.add_option("--port", port, "port to listen on, 0 = any free port [SIO_GATEWAY_PORT] (default 3000)")
          ->check(CLI::Range(0, 65535));
  app.add_option("--key", key, "the adapter's key (channel prefix; the sharded adapter's channelPrefix) [SIO_KEY]")
      ->capture_default_str();
  const auto* mode_flag =
      app.add_option("--mode", mode,
                     "the adapter the fleet's Node servers run: classic (createAdapter), sharded "
                     "(createShardedAdapter, Redis >= 7) or streams (@socket.io/redis-streams-adapter) [SIO_MODE]")
          ->capture_default_str();
  const auto* subscription_flag =
      app.add_option("--subscription-mode", subscription_mode,
                     "sharded: the servers' subscriptionMode, dynamic, static or dynamic-private: which room channels "
                     "this gateway subscribes [SIO_SUBSCRIPTION_MODE]")
          ->capture_default_str();
  const auto* stream_name_flag =
      app.add_option("--stream-name", stream_name, "streams: the servers' streamName [SIO_STREAM_NAME]")
          ->capture_default_str();
  const auto* stream_count_flag =
      app.add_option("--stream-count", stream_count, "streams: the servers' streamCount")
          ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 10))
          ->capture_default_str();
  const auto* recovery_flag =
      app.add_flag("--connection-state-recovery", recovery,
                   "streams: connection state recovery as socket.io's connectionStateRecovery: a client that "
                   "reconnects within --max-disconnection-duration gets its id, rooms and missed notifications back; "
                   "sessions are kept in Redis where Node streams servers keep theirs [SIO_CONNECTION_STATE_RECOVERY=1]");
  const auto* max_disconnection_flag =
      app.add_option("--max-disconnection-duration", max_disconnection,
                     "streams, recovery: how long a session is kept (maxDisconnectionDuration) "
                     "[SIO_MAX_DISCONNECTION_DURATION]")
          ->capture_default_str();
  const auto* session_prefix_flag =
      app.add_option("--session-key-prefix", session_key_prefix,
                     "streams, recovery: the servers' sessionKeyPrefix [SIO_SESSION_KEY_PREFIX]")
          ->capture_default_str();
  app.add_option("--namespace", namespaces, "a namespace to serve besides \"/\" (repeatable)");
  app.add_option("--auth", auth, "jwt, or trusted (auth.userId; development only) [SIO_GATEWAY_AUTH]")
      ->check(CLI::IsMember({"jwt", "trusted"}))
      ->capture_default_str();
  const auto* secret_flag = app.add_option("--jwt-secret", secret, "HS256 secret [SIO_JWT_SECRET]");
  const auto* file_flag = app.add_option("--jwt-secret-file", secret_file,
                                         "file holding the HS256 secret (trailing newlines are not part of it)");
  app.add_option("--jwt-leeway", leeway, "clock leeway for exp and nbf")->capture_default_str();
  app.add_flag("--jwt-exp-optional", exp_optional,
               "accept tokens without exp, which never expire (refused by default)")
      ->envname("SIO_JWT_EXP_OPTIONAL");
  app.add_option("--cors-origin", cors, "browser origin allowed to use polling, \"*\" = any (repeatable)");
  app.add_option("--ping-interval", ping_interval, "Engine.IO ping interval")->capture_default_str();
  app.add_option("--ping-timeout", ping_timeout, "Engine.IO ping timeout")->capture_default_str();
  app.add_option("--max-payload", max_payload, "largest message or polling body, in bytes")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-send-queue", max_send_queue,
                 "bytes one connection may have waiting to be written; a client that lets more pile up is "
                 "disconnected (volatile packets are dropped instead), 0 = unbounded")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 34))
      ->capture_default_str();
  const auto* max_connections_flag =
      app.add_option("--max-connections", max_connections,
                     "Engine.IO connections open at once; handshakes beyond get HTTP 503, 0 = unlimited (default: as "
                     "many as the descriptor limit holds, which the gateway raises to its hard limit at start)")
          ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 24));
  app.add_option("--handshake-rate", handshake_rate,
                 "new connections per second per client address; beyond (after the burst) HTTP 429 with Retry-After. "
                 "Off by default (0): behind a load balancer or a NAT many clients share one address. For clients "
                 "connecting with their own addresses: --handshake-rate 100")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  app.add_option("--handshake-burst", handshake_burst,
                 "new connections one client address may open at once, with --handshake-rate")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  app.add_option("--connect-timeout", connect_timeout, "time a client has to send CONNECT")->capture_default_str();
  app.add_option("--max-connect-payload", max_connect_payload,
                 "largest message or polling body a client may send before it joined a namespace (its CONNECT "
                 "with the token); --max-payload applies after")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 30))
      ->capture_default_str();
  const auto* preauth_flag =
      app.add_option("--preauth-memory", preauth_memory,
                     "bytes that clients not yet authenticated may make the gateway buffer, all together (requests "
                     "being received, CONNECTs); beyond, handshakes get HTTP 503, 0 = unbounded (default: room for "
                     "every connection --max-connections allows to be waiting for its CONNECT at once, at least "
                     "128 MiB)")
          ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40));
  app.add_option("--request-timeout", request_timeout,
                 "time an HTTP request's header may take from its first byte (a new connection's: from its "
                 "start), and then its body")
      ->capture_default_str();
  app.add_option("--max-pending-per-address", max_pending_per_address,
                 "TCP connections one client address may hold before they are authenticated (idle, sending a "
                 "request, handshaking, not CONNECTed yet); beyond, new ones are closed at once; --trust-proxy "
                 "addresses are exempt. Off by default (0), as --handshake-rate; for clients connecting with their "
                 "own addresses: 1000")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 24))
      ->capture_default_str();
  app.add_option("--max-inbound-rate", max_inbound_rate,
                 "bytes per second one client may send (bursts of twice --max-payload); beyond, the gateway reads "
                 "it more slowly, so that one client cannot keep the others waiting, 0 = no limit")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40))
      ->capture_default_str();
  app.add_option("--trust-proxy", trust_proxy,
                 "address or CIDR range of a load balancer or reverse proxy (repeatable): its clients are counted "
                 "and logged by the address it forwards (Forwarded / X-Forwarded-For, the right-most untrusted "
                 "hop) [SIO_GATEWAY_TRUST_PROXY, comma-separated]");
  app.add_option("--admin-listen", admin_listen,
                 "serve /healthz and /metrics on this HOST:PORT only (not on the client port) [SIO_GATEWAY_ADMIN_LISTEN]");
  app.add_flag("--no-serve-requests", no_serve_requests,
               "do not subscribe the adapter's request channel (socketsJoin, fetchSockets, ... skip this gateway)");
  app.add_option("--log-level", level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--demo-client-js", demo_client_js,
                 "socket.io-client browser bundle (socket.io.min.js) the demo page loads "
                 "[SIO_GATEWAY_DEMO_CLIENT_JS]; default: the first that exists of "
                 "<sio-gateway's directory>/../share/sio-gateway/socket.io.min.js and "
                 "./node_modules/socket.io-client/dist/socket.io.min.js (none: the page comes without it)");

  CLI::App* token = app.add_subcommand("token", "print an HS256 JWT for a user (sub, iat, exp) and exit");
  std::string token_user;
  std::string token_ttl = "1h";
  std::string token_secret;
  std::string token_secret_file;
  token->add_option("--user", token_user, "the user id (the token's sub)")->required();
  token->add_option("--ttl", token_ttl, "lifetime")->capture_default_str();
  const auto* token_secret_flag = token->add_option("--jwt-secret", token_secret, "HS256 secret [SIO_JWT_SECRET]");
  const auto* token_file_flag = token->add_option("--jwt-secret-file", token_secret_file,
                                                  "file holding the secret (trailing newlines are not part of it)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "sio-gateway: %s (see sio-gateway --help)\n", e.what());
    return exit_usage;
  }

  try {
    if (token->parsed()) {
      token_config t;
      t.user = token_user;
      if (t.user.empty()) throw usage_error{"token --user: the user id is empty"};
      const auto ttl = detail::duration_option("--ttl", token_ttl, false);
      if (ttl.count() % 1000 != 0) throw usage_error{"--ttl " + token_ttl + ": JWT times are whole seconds"};
      t.ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
      t.secret = detail::jwt_secret(token_secret_flag, token_secret, token_file_flag, token_secret_file);
      if (token_secret_flag->count() == 0 && token_file_flag->count() == 0) {  // given before `token`
        t.secret = detail::jwt_secret(secret_flag, secret, file_flag, secret_file);
      }
      if (t.secret.empty()) throw usage_error{"token: give the secret with --jwt-secret, --jwt-secret-file or SIO_JWT_SECRET"};
      return t;
    }

    serve_config c;
    c.redis_url = redis_url;
    c.redis_url_is_default = redis_flag->count() == 0 && detail::env_or("REDIS_URL", "").empty();
    if ((tls_cert_flag->count() > 0) != (tls_key_flag->count() > 0))
      throw usage_error{"--tls-cert and --tls-key go together: the certificate needs its private key"};
    tls.verify_peer = !tls_insecure;
    c.tls = tls;
    try {
      auto endpoint = sio::detail::parse_redis_url(redis_url);
      sio::detail::apply_tls_options(c.tls, endpoint);
    } catch (const sio::error& e) {
      // The library's message: it names the fault and lists every URL sio takes (Cluster and Sentinel too).
      throw usage_error{std::string("--redis: ") + e.what()};
    }
    c.host = host;
    if (port_flag->count() == 0) {
      const std::string from_env = detail::env_or("SIO_GATEWAY_PORT", "3000");
      try {
        std::size_t used = 0;
        port = std::stoi(from_env, &used);
        if (used != from_env.size() || port < 0 || port > 65535) throw std::out_of_range{from_env};
      } catch (const std::exception&) {
        throw usage_error{"SIO_GATEWAY_PORT=" + from_env + ": not a port (0-65535)"};
      }
    }
    c.port = static_cast<std::uint16_t>(port);
    if (key.empty()) throw usage_error{"--key: the key is empty"};
    c.key = key;
    // Checked here, not by CLI11, so that a value from the environment is checked too and blamed on it.
    const auto from = [](const CLI::Option* flag, std::string_view name, std::string_view variable) {
      return flag->count() > 0 ? std::string(name) : std::string(variable) + " (from the environment)";
    };
    if (mode == "sharded") {
      c.mode = sio::Options::adapter_mode::sharded;
    } else if (mode == "streams") {
      c.mode = sio::Options::adapter_mode::streams;
    } else if (mode != "classic") {
      throw usage_error{from(mode_flag, "--mode", "SIO_MODE") + " " + mode + ": use classic, sharded or streams"};
    }
    if (c.mode != sio::Options::adapter_mode::classic && no_serve_requests)
      throw usage_error{"--no-serve-requests cannot be used with --mode " + mode +
                        ": that adapter's requests come on the channel every server subscribes and is counted by"};
    if (const char* env = std::getenv("SIO_CONNECTION_STATE_RECOVERY"); env != nullptr && !recovery_flag->count()) {
      const std::string_view v = env;
      if (v == "1" || v == "true")
        recovery = true;
      else if (!v.empty() && v != "0" && v != "false")
        throw usage_error{"SIO_CONNECTION_STATE_RECOVERY (from the environment) " + std::string(v) +
                          ": use 1 or 0 (true or false)"};
    }
    const bool streams = c.mode == sio::Options::adapter_mode::streams;
    const std::initializer_list<std::pair<const CLI::Option*, const char*>> streams_flags{
        {stream_name_flag, "--stream-name"},
        {stream_count_flag, "--stream-count"},
        {max_disconnection_flag, "--max-disconnection-duration"},
        {session_prefix_flag, "--session-key-prefix"}};
    for (const auto& [flag, name] : streams_flags) {
      if (flag->count() > 0 && !streams)
        throw usage_error{std::string(name) + " is a streams adapter option: add --mode streams"};
    }
    if (recovery && !streams)
      throw usage_error{"--connection-state-recovery needs --mode streams: the classic and sharded adapters keep no "
                        "sessions (a Node server on them never recovers one either)"};
    if ((max_disconnection_flag->count() > 0 || session_prefix_flag->count() > 0) && !recovery)
      throw usage_error{"--max-disconnection-duration and --session-key-prefix need --connection-state-recovery"};
    if (stream_name.empty()) throw usage_error{from(stream_name_flag, "--stream-name", "SIO_STREAM_NAME") + ": the name is empty"};
    c.stream_name = stream_name;
    c.stream_count = stream_count;
    c.recovery = recovery;
    c.session_key_prefix = session_key_prefix;
    c.max_disconnection_duration = detail::duration_option(
        from(max_disconnection_flag, "--max-disconnection-duration", "SIO_MAX_DISCONNECTION_DURATION"),
        max_disconnection, false);
    if (subscription_mode == "static") {
      c.subscription = sio::Options::subscription_mode::static_;
    } else if (subscription_mode == "dynamic-private") {
      c.subscription = sio::Options::subscription_mode::dynamic_private;
    } else if (subscription_mode != "dynamic") {
      throw usage_error{from(subscription_flag, "--subscription-mode", "SIO_SUBSCRIPTION_MODE") + " " +
                        subscription_mode + ": use dynamic, static or dynamic-private"};
    }
    for (const auto& n : namespaces) {
      std::string name = detail::namespace_name(n);
      if (std::find(c.namespaces.begin(), c.namespaces.end(), name) == c.namespaces.end()) {
        c.namespaces.push_back(std::move(name));
      }
    }
    if (auth != "jwt" && auth != "trusted") throw usage_error{"--auth " + auth + ": use jwt or trusted"};
    c.auth = auth == "jwt" ? auth_mode::jwt : auth_mode::trusted;
    c.jwt_secret = detail::jwt_secret(secret_flag, secret, file_flag, secret_file);
    if (c.auth == auth_mode::jwt && c.jwt_secret.empty()) {
      throw usage_error{"--auth jwt needs the HS256 secret: --jwt-secret, --jwt-secret-file or SIO_JWT_SECRET"};
    }
    c.jwt_leeway = detail::duration_option("--jwt-leeway", leeway, true);
    c.jwt_exp_optional = exp_optional;
    c.cors_origins = cors;
    c.ping_interval = detail::duration_option("--ping-interval", ping_interval, false);
    c.ping_timeout = detail::duration_option("--ping-timeout", ping_timeout, false);
    c.max_payload = max_payload;
    c.max_send_queue = max_send_queue;
    if (max_connections_flag->count() > 0) c.max_connections = max_connections;
    c.handshake_rate = handshake_rate;
    c.handshake_burst = handshake_burst;
    c.connect_timeout = detail::duration_option("--connect-timeout", connect_timeout, false);
    c.max_connect_payload = max_connect_payload;
    if (preauth_flag->count() > 0) c.preauth_memory = preauth_memory;
    if (preauth_memory != 0 && preauth_memory < std::min(max_payload, max_connect_payload))
      throw usage_error{"--preauth-memory " + std::to_string(preauth_memory) +
                        ": smaller than one --max-connect-payload; no client could connect"};
    c.request_timeout = detail::duration_option("--request-timeout", request_timeout, false);
    c.max_pending_per_address = max_pending_per_address;
    c.max_inbound_rate = max_inbound_rate;
    if (trust_proxy.empty()) trust_proxy = detail::split_list(detail::env_or("SIO_GATEWAY_TRUST_PROXY", ""));
    c.trusted_proxies = trust_proxy;
    if (admin_listen.empty()) admin_listen = detail::env_or("SIO_GATEWAY_ADMIN_LISTEN", "");
    if (!admin_listen.empty()) {
      std::tie(c.admin_host, c.admin_port) = detail::listen_address(admin_listen);
      c.admin_listen = true;
    }
    c.serve_requests = !no_serve_requests;
    c.level = *parse_log_level(level);
    c.demo_client_js = demo_client_js;
    return c;
  } catch (const usage_error& e) {
    std::fprintf(stderr, "sio-gateway: %s\n", e.what());
    return exit_usage;
  }
}

}  // namespace sio::gateway::app
