// sio-gateway: serves Socket.IO v4 clients and delivers what the Redis adapter channels carry (notify,
// @socket.io/redis-emitter, Node servers). One I/O thread owns every socket; the Redis adapter has its own thread.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapter/redis_adapter.hpp"
#include "app/command_line.hpp"
#include "app/demo_client.hpp"
#include "app/log.hpp"
#include "app/token.hpp"
#include "auth/authenticator.hpp"
#include "auth/authenticators.hpp"
#include "engineio/server.hpp"
#include "engineio/trusted_proxies.hpp"
#include "http/routes.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/error.hpp"
#include "socketio/server.hpp"

namespace {

namespace app = sio::gateway::app;
using namespace std::chrono_literals;

constexpr auto shutdown_grace = 2s;        // clients got the close packet; then stop waiting for them
constexpr auto redis_watch_interval = 1s;  // how often the Redis link state is checked for log lines
// Descriptors kept out of the client connections' share: Redis (subscriber, publisher), the listening sockets, the
// adapter's wake pipe, stdio, the demo bundle being read, libraries.
constexpr std::size_t reserved_descriptors = 64;

// --demo-client-js (or SIO_GATEWAY_DEMO_CLIENT_JS) when given, else the first bundle found where an installed or a
// developer's gateway has one (app/demo_client.hpp); without one the page is served without the client.
std::optional<std::string> read_client_bundle(std::string path, const app::logger& log) {
  if (path.empty()) {
    const auto candidates = app::demo_client_js_candidates(app::running_executable());
    const auto found = app::find_demo_client_js(candidates);
    if (!found) {
      log.warn("demo page without the socket.io client: no --demo-client-js, and no bundle where it is looked for",
               {{"looked_in", app::describe_paths(candidates)}});
      return std::nullopt;
    }
    path = found->string();
    log.info("demo page socket.io client found", {{"path", path}});
  }
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    log.warn("demo page without the socket.io client: cannot read --demo-client-js", {{"path", path}});
    return std::nullopt;
  }
  return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// What the gateway may hold: Engine.IO connections (max_connections, 0 = unlimited) and TCP connections
// (max_sockets, 0 = the engine's default_max_sockets(max_connections)).
struct connection_limits {
  std::size_t max_connections = 0;
  std::size_t max_sockets = 0;
};

// Raises the soft descriptor limit to the hard one (every connection is a descriptor), then sizes the TCP connection
// cap to what the limit holds: accept() failing with EMFILE is worse than a connection closed at once, since the
// listen queue then fills with clients that wait. Without --max-connections, the connection limit is that cap too,
// so that the default never refuses a client the process could hold (a polling client holds two TCP connections:
// past the cap, new ones are closed at accept). With it, warns when it cannot be held at all.
connection_limits size_connections(const app::serve_config& c, const app::logger& log) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return {c.max_connections.value_or(sio::gateway::engineio::server_options{}.max_connections), 0};
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return {c.max_connections.value_or(0), 0};
  const auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t usable = descriptors > reserved_descriptors ? descriptors - reserved_descriptors : 1;
  if (!c.max_connections) {
    log.info("connection limit sized to the descriptor limit (--max-connections sets another)",
             {{"descriptor_limit", descriptors}, {"max_connections", usable}});
    return {usable, usable};
  }
  const std::size_t wanted = sio::gateway::engineio::default_max_sockets(*c.max_connections);
  if (wanted != 0 && wanted <= usable) return {*c.max_connections, 0};  // the default holds
  if (*c.max_connections > usable) {
    log.warn("descriptor limit too low for --max-connections: connections beyond are closed at once; raise the "
             "limit (ulimit -n, systemd LimitNOFILE=) or lower --max-connections",
             {{"descriptor_limit", descriptors},
              {"max_connections", *c.max_connections},
              {"connections_held_at_most", usable}});
  } else {
    log.info("TCP connections capped by the descriptor limit (a polling client holds two)",
             {{"descriptor_limit", descriptors}, {"max_sockets", usable}});
  }
  return {*c.max_connections, usable};
}

// Without --preauth-memory: room for every connection the limit allows to be waiting for its CONNECT at once (each
// reserves --max-connect-payload, and sessions may fill 3/4 of the budget), so that a reconnect storm of all the
// clients a gateway holds is never refused for want of budget; at least 128 MiB. The worst case it admits is what
// the connection limit admits anyway: an authenticated client may hold --max-send-queue, 64 times as much.
std::size_t default_preauth_memory(const sio::gateway::engineio::server_options& o) {
  constexpr std::size_t floor = 128 * 1024 * 1024;
  return std::max(floor, o.max_connections / 3 * 4 * sio::gateway::engineio::preauth_message_limit(o));
}

std::unique_ptr<sio::gateway::auth::authenticator> make_authenticator(const app::serve_config& c) {
  if (c.auth == app::auth_mode::trusted) return sio::gateway::auth::make_trusted_authenticator();
  sio::gateway::auth::jwt_options options;
  options.secret = c.jwt_secret;
  options.leeway = std::chrono::ceil<std::chrono::seconds>(c.jwt_leeway);  // JWT times are whole seconds
  options.require_exp = !c.jwt_exp_optional;
  return sio::gateway::auth::make_jwt_authenticator(std::move(options));
}

// Logs when the Redis link goes down or comes back (the adapter reconnects by itself).
class redis_watch {
 public:
  redis_watch(boost::asio::io_context& io, const sio::gateway::adapter::redis_adapter& adapter,
              const app::logger& log)
      : timer_{io}, adapter_{adapter}, log_{log} {}

  void start() {
    timer_.expires_after(redis_watch_interval);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      const auto stats = adapter_.stats();
      if (stats.redis_connected != connected_) {
        connected_ = stats.redis_connected;
        if (connected_) {
          log_.info("redis connected", {{"reconnects", stats.reconnects}});
        } else {
          log_.warn("redis disconnected: reconnecting; sockets get no broadcasts meanwhile");
        }
      }
      start();
    });
  }
  void stop() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
  const sio::gateway::adapter::redis_adapter& adapter_;
  const app::logger& log_;
  bool connected_ = true;
};

int serve(const app::serve_config& c) {
  const app::logger log{c.level};
  namespace gw = sio::gateway;
  boost::asio::io_context io;

  const auto authenticator = make_authenticator(c);
  if (c.auth == app::auth_mode::trusted) {
    log.warn("auth trusted: any client can claim any user id (auth.userId); for development only");
  }
  if (!c.tls.verify_peer) log.warn("tls insecure: the Redis server's certificate is not verified; for testing only");

  gw::socketio::server_options socket_options;
  socket_options.namespaces = c.namespaces;
  socket_options.connect_timeout = c.connect_timeout;
  // Lines that outsiders can cause at will (malformed Redis messages, accept failures) go through a throttle; refused
  // CONNECTs through one of their own with a larger allowance (one line per connection, and connections are
  // limited per address), so that an operator still sees the reasons of real clients during a flood of bad ones.
  app::throttled_logger throttled_log{log};
  app::throttled_logger refusals_log{log, 50};
  gw::socketio::server_hooks hooks;
  hooks.connect_refused = [&refusals_log](const gw::engineio::session& s, std::string_view nsp,
                                          std::string_view reason) {
    refusals_log.info("connect refused", {{"sid", s.id()}, {"address", s.handshake().client_address}, {"nsp", nsp},
                                          {"reason", reason}});
  };
  gw::socketio::server sockets{io, socket_options, *authenticator, std::move(hooks)};

  gw::adapter::adapter_options adapter_options;
  adapter_options.redis_url = c.redis_url;
  adapter_options.tls = c.tls;
  adapter_options.key = c.key;
  adapter_options.mode = c.mode;
  adapter_options.subscription = c.subscription;
  adapter_options.serve_requests = c.serve_requests;
  adapter_options.stream_name = c.stream_name;
  adapter_options.stream_count = c.stream_count;
  adapter_options.recovery = c.recovery;
  adapter_options.session_key_prefix = c.session_key_prefix;
  adapter_options.max_disconnection_duration = c.max_disconnection_duration;
  // Called from the adapter's threads: the logger writes each line with one fprintf, so lines never interleave.
  adapter_options.on_problem = [&log](std::string_view what, std::string_view error) {
    log.warn(what, {{"error", error}});
  };
  // Whoever can publish on Redis decides how many malformed messages arrive: throttled, so they cannot flood the log.
  adapter_options.on_malformed = [&throttled_log](std::string_view channel, std::string_view reason,
                                                  std::size_t bytes) {
    throttled_log.warn("malformed adapter message", {{"channel", channel}, {"reason", reason}, {"bytes", bytes}});
  };
  gw::adapter::redis_adapter adapter{io, adapter_options, sockets};
  const std::string redis_shown = sio::detail::redact_redis_url(c.redis_url);
  try {
    adapter.start();
  } catch (const sio::error& e) {
    log.error("cannot start: Redis connection failed",
              {{"redis", redis_shown}, {"error", app::redis_start_error(c, e)}});
    return app::exit_status_for(e.code());
  }
  log.info("redis connected", {{"redis", redis_shown}, {"key", c.key}, {"uid", adapter.uid()}});

  gw::engineio::server_options engine_options;
  engine_options.address = c.host;
  engine_options.port = c.port;
  engine_options.ping_interval = c.ping_interval;
  engine_options.ping_timeout = c.ping_timeout;
  engine_options.max_payload = c.max_payload;
  engine_options.max_send_queue = c.max_send_queue;
  const connection_limits limits = size_connections(c, log);
  engine_options.max_connections = limits.max_connections;
  engine_options.handshake_rate = c.handshake_rate;
  engine_options.handshake_burst = c.handshake_burst;
  engine_options.max_connect_payload = c.max_connect_payload;
  engine_options.request_timeout = c.request_timeout;
  engine_options.max_pending_per_address = c.max_pending_per_address;
  engine_options.max_inbound_rate = c.max_inbound_rate;
  engine_options.trusted_proxies = c.trusted_proxies;
  engine_options.max_sockets = limits.max_sockets;
  engine_options.preauth_memory = c.preauth_memory.value_or(default_preauth_memory(engine_options));
  engine_options.on_slow_consumer = [&log](const gw::engineio::session& s, std::size_t queued) {
    log.info("slow consumer disconnected: too much waiting to be written",
             {{"sid", s.id()}, {"address", s.handshake().client_address}, {"queued_bytes", queued}});
  };
  engine_options.on_accept_error = [&throttled_log](const boost::system::error_code& ec) {
    throttled_log.warn("cannot accept connections: accepting pauses 100 ms",
                       {{"error", ec.message()}, {"hint", "raise the descriptor limit or lower --max-connections"}});
  };
  engine_options.cors_origins = c.cors_origins;
  gw::http::routes_options route_options;
  route_options.client_bundle = read_client_bundle(c.demo_client_js, log);
  route_options.admin = !c.admin_listen;
  gw::engineio::server* engine_ptr = nullptr;  // set right after construction, before any request is read
  auto stats = [&]() {
    gw::http::gateway_stats s;
    if (engine_ptr != nullptr) s.engine = engine_ptr->stats();
    s.sockets = sockets.socket_count();
    s.volatile_dropped = sockets.volatile_dropped();
    s.sessions_refused = sockets.sessions_refused();
    s.redis = adapter.stats();
    return s;
  };
  gw::engineio::server engine{io, engine_options, sockets, gw::http::make_routes(std::move(route_options), stats)};
  engine_ptr = &engine;
  // --admin-listen: /healthz and /metrics on their own address, nothing else there.
  std::optional<gw::engineio::server> admin;
  if (c.admin_listen) {
    gw::engineio::server_options admin_options = engine_options;
    admin_options.address = c.admin_host;
    admin_options.port = c.admin_port;
    admin_options.serve_engine = false;
    admin_options.max_pending_per_address = 0;
    admin_options.max_sockets = 256;
    admin_options.on_slow_consumer = nullptr;
    gw::http::routes_options admin_routes;
    admin_routes.page = false;
    admin.emplace(io, admin_options, sockets, gw::http::make_routes(std::move(admin_routes), stats));
  }
  try {
    engine.start();
  } catch (const std::system_error& e) {
    log.error("cannot listen", {{"host", c.host}, {"port", c.port}, {"error", e.what()}});
    adapter.stop();
    return app::exit_failure;
  }
  if (admin) {
    try {
      admin->start();
    } catch (const std::system_error& e) {
      log.error("cannot listen (--admin-listen)", {{"host", c.admin_host}, {"port", c.admin_port}, {"error", e.what()}});
      adapter.stop();
      return app::exit_failure;
    }
  }

  redis_watch watch{io, adapter, log};
  watch.start();

  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  bool stopping = false;
  std::function<void(const boost::system::error_code&, int)> on_signal;
  on_signal = [&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    if (stopping) {  // a second signal: stop waiting for clients
      log.warn("second signal: stopping now", {{"signal", signal_number}});
      io.stop();
      return;
    }
    stopping = true;
    log.info("shutting down", {{"signal", signal_number}, {"sockets", sockets.socket_count()}});
    signals.async_wait(on_signal);
    watch.stop();
    if (admin) admin->shutdown("server shutting down", shutdown_grace, [] {});
    engine.shutdown("server shutting down", shutdown_grace, [&]() {
      adapter.stop();
      log.info("stopped");
      io.stop();
    });
  };
  signals.async_wait(on_signal);

  const std::string host_in_url = c.host.find(':') != std::string::npos ? "[" + c.host + "]" : c.host;
  log.info("listening", {{"port", engine.port()},
                         {"url", "http://" + host_in_url + ":" + std::to_string(engine.port())},
                         {"auth", c.auth == app::auth_mode::jwt ? "jwt" : "trusted"},
                         {"max_connections", engine_options.max_connections},
                         {"preauth_memory", engine_options.preauth_memory}});
  if (admin) log.info("admin listening", {{"host", c.admin_host}, {"port", admin->port()}, {"paths", "/healthz /metrics"}});
  io.run();
  return app::exit_ok;
}

int print_token(const app::token_config& t) {
  std::printf("%s\n", app::mint_token(t.user, t.secret, t.ttl).c_str());
  return app::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const app::command cmd = app::parse_command_line(argc, argv);
    if (const auto* status = std::get_if<int>(&cmd)) return *status;
    if (const auto* token = std::get_if<app::token_config>(&cmd)) return print_token(*token);
    const auto& config = std::get<app::serve_config>(cmd);
    try {
      sio::gateway::engineio::trusted_proxies{config.trusted_proxies};
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "sio-gateway: %s\n", e.what());
      return app::exit_usage;
    }
    return serve(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-gateway: error: %s\n", e.what());
    return app::exit_failure;
  }
}
