// The state of an engineio::server shared by its connections and sessions: options, the handler, the sessions by
// sid, the counters, and the routing of each HTTP request (PROTOCOL.md §7.1).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/status.hpp>

#include "engineio/admission.hpp"
#include "engineio/handshake_limiter.hpp"
#include "engineio/protocol_error.hpp"
#include "engineio/query.hpp"
#include "engineio/send_queue_policy.hpp"
#include "engineio/server.hpp"
#include "engineio/trusted_proxies.hpp"

namespace sio::gateway::engineio {

class engine_session;
class http_connection;
class websocket_connection;

class engine_core : public std::enable_shared_from_this<engine_core> {
 public:
  engine_core(boost::asio::io_context& io, server_options options, handler& events, route_handler routes);
  ~engine_core();
  engine_core(const engine_core&) = delete;
  engine_core& operator=(const engine_core&) = delete;

  void start();
  std::uint16_t port() const noexcept { return port_; }
  void shutdown(std::string_view reason, std::chrono::milliseconds grace, std::function<void()> done);
  // Closes every socket at once (the server is being destroyed).
  void stop();

  boost::asio::io_context& io() noexcept { return io_; }
  const server_options& options() const noexcept { return options_; }
  handler& events() noexcept { return events_; }
  server_stats& stats() noexcept { return stats_; }
  const send_queue_policy& send_queue() const noexcept { return send_queue_; }
  preauth_budget& preauth() noexcept { return preauth_; }
  const trusted_proxies& proxies() const noexcept { return proxies_; }

  // A request header was read on `conn`.
  void on_request(const std::shared_ptr<http_connection>& conn);

  // A polling answer for `req` (200 text/plain; charset=UTF-8, cache-control: no-store, CORS).
  http_response polling_response(const http_request& req, std::string body) const;
  // 200 text/html "ok", the answer to a polling POST.
  http_response ok_response(const http_request& req) const;
  // A bare status (400 on overlapping requests, 413, 408), as engine.io's res.writeHead(n).end().
  http_response empty_response(const http_request& req, boost::beast::http::status status) const;

  // A session ended: it leaves the sid table and the counters.
  void forget(const engine_session& s);
  // A session's transport became WebSocket (upgrade).
  void on_upgraded();

 private:
  struct engine_request;

  void accept();
  void admit(boost::asio::ip::tcp::socket socket);
  bool over_socket_limit();
  void track(const std::shared_ptr<http_connection>& conn);
  void track(const std::shared_ptr<websocket_connection>& ws);
  void answer_route(const std::shared_ptr<http_connection>& conn);
  void answer_error(const std::shared_ptr<http_connection>& conn, protocol_error error);
  void refuse_upgrade(const std::shared_ptr<http_connection>& conn, protocol_error error);
  std::optional<protocol_error> verify(const engine_request& r, bool upgrade) const;
  std::optional<preauth_budget::reservation> admit_handshake(const std::shared_ptr<http_connection>& conn,
                                                             bool upgrade);
  void refuse_handshake(const std::shared_ptr<http_connection>& conn, bool upgrade,
                        boost::beast::http::status status, std::chrono::seconds retry_after);
  void handshake_polling(const std::shared_ptr<http_connection>& conn, const engine_request& r);
  void upgrade(const std::shared_ptr<http_connection>& conn, const engine_request& r);
  handshake_info handshake_of(const http_connection& conn, const query_params& query) const;
  std::shared_ptr<engine_session> add_session(handshake_info info, bool binary_as_base64, preauth_hold hold);
  void check_shutdown_done();

  boost::asio::io_context& io_;
  server_options options_;
  handler& events_;
  route_handler routes_;
  server_stats stats_;
  send_queue_policy send_queue_;
  handshake_limiter handshake_limiter_;
  trusted_proxies proxies_;
  pending_connections pending_;
  preauth_budget preauth_;
  std::size_t max_sockets_ = 0;  // 0: no limit
  std::size_t websocket_handshakes_ = 0;  // new sessions whose WebSocket handshake is in progress
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::unordered_map<std::string, std::shared_ptr<engine_session>> sessions_;
  // Every connection ever accepted that may still be alive, to close them when the server goes away.
  std::vector<std::weak_ptr<http_connection>> connections_;
  std::vector<std::weak_ptr<websocket_connection>> websockets_;
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
  boost::asio::steady_timer grace_timer_;
  boost::asio::steady_timer accept_retry_timer_;
};

}  // namespace sio::gateway::engineio
