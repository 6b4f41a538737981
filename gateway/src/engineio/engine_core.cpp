#include "engineio/engine_core.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <system_error>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

#include "engineio/base64id.hpp"
#include "engineio/cors.hpp"
#include "engineio/engine_session.hpp"
#include "engineio/http_connection.hpp"
#include "engineio/websocket_connection.hpp"

namespace sio::gateway::engineio {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

// How long accepting pauses after an error such as EMFILE (no file descriptor left).
constexpr std::chrono::milliseconds accept_retry_delay{100};

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// `path` without its trailing slash also matches ("/socket.io" for "/socket.io/"), but "/socket.iox" does not.
bool on_engine_path(std::string_view request_path, std::string_view path) {
  if (request_path.substr(0, path.size()) == path) return true;
  if (!path.empty() && path.back() == '/') return request_path == path.substr(0, path.size() - 1);
  return false;
}

}  // namespace

struct engine_core::engine_request {
  query_params query;
  std::string transport;
  std::string sid;  // empty: a handshake
  bool eio4 = false;
  bool binary_as_base64 = false;
  http::verb method = http::verb::get;
  std::shared_ptr<engine_session> session;
};

engine_core::engine_core(asio::io_context& io, server_options options, handler& events, route_handler routes)
    : io_{io},
      options_{std::move(options)},
      events_{events},
      routes_{std::move(routes)},
      send_queue_{options_.max_send_queue},
      handshake_limiter_{options_.handshake_rate, options_.handshake_burst},
      proxies_{options_.trusted_proxies},
      pending_{options_.max_pending_per_address},
      preauth_{options_.preauth_memory},
      max_sockets_{options_.max_sockets != 0 ? options_.max_sockets : default_max_sockets(options_.max_connections)},
      acceptor_{io},
      grace_timer_{io},
      accept_retry_timer_{io} {
  if (options_.path.empty() || options_.path.front() != '/') options_.path.insert(options_.path.begin(), '/');
  if (options_.path.back() != '/') options_.path += '/';  // engine.io's addTrailingSlash
}

engine_core::~engine_core() { stop(); }

void engine_core::start() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) throw std::system_error(ec, fmt::format("invalid listen address '{}'", options_.address));
  const asio::ip::tcp::endpoint endpoint{address, options_.port};
  const auto fail = [&](std::string_view what) {
    throw std::system_error(ec, fmt::format("cannot {} {}:{}", what, options_.address, options_.port));
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket for");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) fail("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  port_ = acceptor_.local_endpoint().port();
  accept();
}

void engine_core::accept() {
  acceptor_.async_accept([weak = weak_from_this()](beast::error_code ec, asio::ip::tcp::socket socket) {
    const auto self = weak.lock();
    if (!self || !self->acceptor_.is_open()) return;
    if (ec && ec != asio::error::connection_aborted) {
      // Out of file descriptors (or memory): accepting again at once would spin on the same error.
      ++self->stats_.accept_errors_total;
      if (self->options_.on_accept_error) self->options_.on_accept_error(ec);
      self->accept_retry_timer_.expires_after(accept_retry_delay);
      self->accept_retry_timer_.async_wait([weak](beast::error_code wait_ec) {
        const auto again = weak.lock();
        if (!wait_ec && again && again->acceptor_.is_open()) again->accept();
      });
      return;
    }
    if (!ec) self->admit(std::move(socket));
    self->accept();
  });
}

// A new TCP connection, closed at once past the socket limit or past its address' pending connections (those not
// authenticated yet: a trusted proxy's are exempt, since every client behind it shares its address).
void engine_core::admit(asio::ip::tcp::socket socket) {
  beast::error_code ec;
  if (over_socket_limit()) {
    ++stats_.connections_refused_total;
    socket.close(ec);
    return;
  }
  const auto peer = socket.remote_endpoint(ec);
  if (ec) {
    socket.close(ec);  // already gone
    return;
  }
  std::string address = peer.address().to_string();
  pending_connections::slot slot;
  if (!proxies_.contains(peer.address())) {
    slot = pending_.acquire(address);
    if (!slot.held()) {
      ++stats_.pending_refused_total;
      socket.close(ec);
      return;
    }
  }
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  auto conn = std::make_shared<http_connection>(std::move(socket), std::move(address), weak_from_this(),
                                                std::move(slot), options_.request_timeout);
  track(conn);
  conn->start();
}

// Sockets that never become sessions (idle keep-alive connections, slow headers) are bounded too: a polling client
// may hold two (its long-poll and a POST), so twice max_connections plus some room for handshakes in progress.
bool engine_core::over_socket_limit() {
  if (max_sockets_ == 0) return false;
  const std::size_t limit = max_sockets_;
  if (connections_.size() + websockets_.size() < limit) return false;
  // The lists keep connections that are gone until the next sweep: count only those alive.
  std::erase_if(connections_, [](const auto& w) { return w.expired(); });
  std::erase_if(websockets_, [](const auto& w) { return w.expired(); });
  return connections_.size() + websockets_.size() >= limit;
}

void engine_core::track(const std::shared_ptr<http_connection>& conn) {
  conn->on_written_hook([weak = weak_from_this()] {
    if (const auto self = weak.lock()) self->check_shutdown_done();
  });
  if (connections_.size() >= 64 && connections_.size() % 64 == 0) {
    std::erase_if(connections_, [](const auto& w) { return w.expired(); });
  }
  connections_.push_back(conn);
}

void engine_core::track(const std::shared_ptr<websocket_connection>& ws) {
  ws->on_finished_hook([weak = weak_from_this()] {
    if (const auto self = weak.lock()) self->check_shutdown_done();
  });
  if (websockets_.size() >= 64 && websockets_.size() % 64 == 0) {
    std::erase_if(websockets_, [](const auto& w) { return w.expired(); });
  }
  websockets_.push_back(ws);
}

// ---- routing ----

void engine_core::on_request(const std::shared_ptr<http_connection>& conn) {
  const http_request& req = conn->request();
  const std::string_view target = view(req.target());
  if (!options_.serve_engine || !on_engine_path(target.substr(0, target.find('?')), options_.path)) {
    answer_route(conn);
    return;
  }

  if (req.method() == http::verb::options && !options_.cors_origins.empty()) {
    conn->respond(preflight_response(options_, req));
    return;
  }

  // An Engine.IO request's header is all it buffers here: a POST's body is bounded by its session's limit, which
  // the session's own allowance covers until it is authenticated.
  conn->request_read();
  engine_request r;
  r.method = req.method();
  r.query = parse_query(target);
  if (const auto* v = query_value(r.query, "transport")) r.transport = *v;
  if (const auto* v = query_value(r.query, "sid")) r.sid = *v;
  if (const auto* v = query_value(r.query, "EIO")) r.eio4 = *v == "4";
  if (const auto* v = query_value(r.query, "b64")) r.binary_as_base64 = !v->empty();
  if (!r.sid.empty()) {
    if (const auto it = sessions_.find(r.sid); it != sessions_.end()) r.session = it->second;
  }

  const bool upgrade = beast::websocket::is_upgrade(req);
  if (const auto error = verify(r, upgrade)) {
    if (upgrade) {
      refuse_upgrade(conn, *error);
    } else {
      answer_error(conn, *error);
    }
    return;
  }
  if (r.session) conn->established();  // the session holds its place (until it is authenticated)
  if (upgrade) {
    this->upgrade(conn, r);
  } else if (!r.session) {
    handshake_polling(conn, r);
  } else if (req.method() == http::verb::get) {
    r.session->on_poll(conn);
  } else if (req.method() == http::verb::post) {
    r.session->on_post(conn);
  } else {
    conn->respond(empty_response(req, http::status::internal_server_error), true);  // as engine.io's polling
  }
}

// engine.io's Server.verify, in its order, then the protocol check of its handshake.
std::optional<protocol_error> engine_core::verify(const engine_request& r, bool upgrade) const {
  if (r.transport != "polling" && r.transport != "websocket") return protocol_error::unknown_transport;
  if (!r.sid.empty()) {
    if (!r.session) return protocol_error::unknown_sid;
    // A polling request after the upgrade (or polling on a WebSocket session): TRANSPORT_MISMATCH.
    if (!upgrade && r.session->transport() != r.transport) return protocol_error::bad_request;
    if (!r.eio4) return protocol_error::bad_request;  // PROTOCOL_MISMATCH
    if (!upgrade && r.transport == "websocket") return protocol_error::bad_request;
    return std::nullopt;
  }
  if (r.method != http::verb::get) return protocol_error::bad_handshake_method;
  if (!upgrade && r.transport == "websocket") return protocol_error::bad_request;  // TRANSPORT_HANDSHAKE_ERROR
  return std::nullopt;
}

void engine_core::answer_route(const std::shared_ptr<http_connection>& conn) {
  conn->read_body(http_connection::route_body_limit, [weak = weak_from_this(), conn](body_result result) {
    const auto self = weak.lock();
    if (!self) return;
    const http_request& req = conn->request();
    if (result != body_result::complete) {
      if (result != body_result::failed) conn->respond(self->empty_response(req, http::status::payload_too_large), true);
      return;
    }
    conn->request_read();
    std::optional<http_response> res;
    try {
      if (self->routes_) res = self->routes_(req);
    } catch (const std::exception&) {
      conn->respond(self->empty_response(req, http::status::internal_server_error), true);
      return;
    }
    if (!res) {
      res.emplace(http::status::not_found, req.version());
      res->set(http::field::content_type, "text/plain; charset=utf-8");
      res->body() = "Not Found\n";
      res->prepare_payload();
      res->keep_alive(req.keep_alive());
    }
    conn->respond(std::move(*res));
  });
}

void engine_core::answer_error(const std::shared_ptr<http_connection>& conn, protocol_error error) {
  const http_request& req = conn->request();
  http_response res{error == protocol_error::forbidden ? http::status::forbidden : http::status::bad_request,
                    req.version()};
  res.set(http::field::content_type, "application/json");
  add_cors_headers(options_, req, res);
  res.body() = error_body(error);
  res.prepare_payload();
  res.keep_alive(req.keep_alive());
  conn->respond(std::move(res));
}

// engine.io's abortUpgrade: a plain 400 with the error message, and the connection closed.
void engine_core::refuse_upgrade(const std::shared_ptr<http_connection>& conn, protocol_error error) {
  const http_request& req = conn->request();
  http_response res{http::status::bad_request, req.version()};
  res.set(http::field::content_type, "text/html");
  res.body() = std::string{error_message(error)};
  res.prepare_payload();
  res.keep_alive(false);
  conn->respond(std::move(res), true);
}

// ---- handshakes ----

handshake_info engine_core::handshake_of(const http_connection& conn, const query_params& query) const {
  const http_request& req = conn.request();
  handshake_info info;
  // Node's req.headers: lower-case names, repeated headers joined (", ", or "; " for cookie).
  for (const auto& field : req) {
    std::string name = lower(view(field.name_string()));
    const std::string_view value = view(field.value());
    const auto same = std::find_if(info.headers.begin(), info.headers.end(),
                                   [&](const auto& header) { return header.first == name; });
    if (same == info.headers.end()) {
      info.headers.emplace_back(std::move(name), std::string{value});
    } else {
      same->second += name == "cookie" ? "; " : ", ";
      same->second += value;
    }
  }
  info.query = query;
  info.url = std::string{view(req.target())};
  info.address = conn.remote_address();
  info.client_address = conn.client_address();
  info.secure = false;
  info.xdomain = req.find(http::field::origin) != req.end();
  info.issued_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return info;
}

std::shared_ptr<engine_session> engine_core::add_session(handshake_info info, bool binary_as_base64,
                                                      preauth_hold hold) {
  auto s = std::make_shared<engine_session>(*this, new_base64id(), std::move(info), binary_as_base64,
                                            std::move(hold));
  sessions_.emplace(s->id(), s);
  ++stats_.open_sessions;
  ++stats_.handshakes_total;
  return s;
}

void engine_core::handshake_polling(const std::shared_ptr<http_connection>& conn, const engine_request& r) {
  if (!r.eio4) {
    answer_error(conn, protocol_error::unsupported_protocol_version);
    return;
  }
  if (shutting_down_) {
    conn->respond(empty_response(conn->request(), http::status::service_unavailable), true);
    return;
  }
  auto allowance = admit_handshake(conn, false);
  if (!allowance) return;
  const auto s = add_session(handshake_of(*conn, r.query), r.binary_as_base64,
                             preauth_hold{std::move(*allowance), conn->take_pending()});
  ++stats_.polling_sessions;
  s->open_over_polling(conn);
}

void engine_core::upgrade(const std::shared_ptr<http_connection>& conn, const engine_request& r) {
  if (r.transport != "websocket") {
    refuse_upgrade(conn, protocol_error::bad_request);  // engine.io closes such a socket after the handshake
    return;
  }
  if (!r.session && !r.eio4) {
    refuse_upgrade(conn, protocol_error::unsupported_protocol_version);
    return;
  }
  if (!r.session && shutting_down_) {
    refuse_upgrade(conn, protocol_error::bad_request);
    return;
  }
  std::optional<handshake_info> info;
  // A new session's WebSocket reads no more than a CONNECT until it is authenticated; a probe gets its session's
  // limit when it is attached (on_probe).
  auto hold = std::make_shared<preauth_hold>();
  if (!r.session) {
    auto admitted = admit_handshake(conn, true);
    if (!admitted) return;
    hold->memory = std::move(*admitted);
    hold->connection = conn->take_pending();
    info = handshake_of(*conn, r.query);
    ++websocket_handshakes_;
  }
  http_request req = conn->request();
  auto ws = std::make_shared<websocket_connection>(conn->release_stream().release_socket(),
                                                   preauth_message_limit(options_));
  track(ws);
  ws->accept(std::move(req), [weak = weak_from_this(), ws, sid = r.sid, info = std::move(info),
                              b64 = r.binary_as_base64, hold](bool accepted) mutable {
    const auto self = weak.lock();
    if (self && info) --self->websocket_handshakes_;
    if (!accepted) return;
    if (!self) {
      ws->abort();
      return;
    }
    if (!info) {
      const auto it = self->sessions_.find(sid);
      if (it == self->sessions_.end()) {
        ws->close();  // the session ended during the WebSocket handshake
      } else {
        it->second->on_probe(ws);
      }
      return;
    }
    if (self->shutting_down_) {
      ws->close();
      return;
    }
    const auto s = self->add_session(std::move(*info), b64, std::move(*hold));
    ++self->stats_.websocket_sessions;
    s->open_over_websocket(ws);
  });
}

// The limits on new sessions, in this order: the client address' handshake rate (429), the number of sessions
// (503), then the pre-authentication budget, from which the session takes what it may send before it is
// authenticated (503). Refused clients get an answer they understand (engine.io-client reports it and its
// reconnection backs off). Returns the session's allowance when it is admitted.
std::optional<preauth_budget::reservation> engine_core::admit_handshake(const std::shared_ptr<http_connection>& conn,
                                                                        bool upgrade) {
  std::chrono::seconds retry_after{0};
  if (!handshake_limiter_.admit(conn->client_address(), handshake_limiter::clock::now(), retry_after)) {
    ++stats_.handshakes_rate_limited_total;
    refuse_handshake(conn, upgrade, http::status::too_many_requests, retry_after);
    return std::nullopt;
  }
  if (options_.max_connections != 0 && sessions_.size() + websocket_handshakes_ >= options_.max_connections) {
    ++stats_.connections_refused_total;
    refuse_handshake(conn, upgrade, http::status::service_unavailable, std::chrono::seconds{1});
    return std::nullopt;
  }
  auto allowance = preauth_.reserve_for_session(preauth_message_limit(options_));
  if (!allowance.held()) {
    ++stats_.preauth_refused_total;
    refuse_handshake(conn, upgrade, http::status::service_unavailable, std::chrono::seconds{1});
    return std::nullopt;
  }
  return allowance;
}

void engine_core::refuse_handshake(const std::shared_ptr<http_connection>& conn, bool upgrade, http::status status,
                                   std::chrono::seconds retry_after) {
  const http_request& req = conn->request();
  http_response res{status, req.version()};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::retry_after, std::to_string(retry_after.count()));
  if (!upgrade) add_cors_headers(options_, req, res);
  res.body() = status == http::status::too_many_requests ? "Too many handshakes from this address\n"
                                                         : "Too many connections\n";
  res.prepare_payload();
  // A refused WebSocket upgrade ends its connection, as engine.io's abortUpgrade does.
  res.keep_alive(!upgrade && req.keep_alive());
  conn->respond(std::move(res), upgrade);
}

// ---- responses ----

http_response engine_core::polling_response(const http_request& req, std::string body) const {
  http_response res{http::status::ok, req.version()};
  res.set(http::field::content_type, "text/plain; charset=UTF-8");
  res.set(http::field::cache_control, "no-store");
  add_cors_headers(options_, req, res);
  res.body() = std::move(body);
  res.prepare_payload();
  res.keep_alive(req.keep_alive());
  return res;
}

http_response engine_core::ok_response(const http_request& req) const {
  http_response res{http::status::ok, req.version()};
  res.set(http::field::content_type, "text/html");  // engine.io: text/plain makes some browsers download it
  res.set(http::field::cache_control, "no-store");
  add_cors_headers(options_, req, res);
  res.body() = "ok";
  res.prepare_payload();
  res.keep_alive(req.keep_alive());
  return res;
}

http_response engine_core::empty_response(const http_request& req, http::status status) const {
  http_response res{status, req.version()};
  add_cors_headers(options_, req, res);
  res.content_length(0);
  res.keep_alive(req.keep_alive());
  return res;
}

// ---- sessions ----

void engine_core::forget(const engine_session& s) {
  const auto it = sessions_.find(s.id());
  if (it == sessions_.end() || it->second.get() != &s) return;
  const auto keep = it->second;  // the session may be in the middle of a call
  sessions_.erase(it);
  --stats_.open_sessions;
  if (s.on_websocket()) {
    --stats_.websocket_sessions;
  } else {
    --stats_.polling_sessions;
  }
  check_shutdown_done();
}

void engine_core::on_upgraded() {
  --stats_.polling_sessions;
  ++stats_.websocket_sessions;
  ++stats_.upgrades_total;
}

// ---- shutdown ----

void engine_core::shutdown(std::string_view reason, std::chrono::milliseconds grace, std::function<void()> done) {
  shutting_down_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  shutdown_done_ = std::move(done);
  std::vector<std::shared_ptr<engine_session>> sessions;
  sessions.reserve(sessions_.size());
  for (const auto& [id, s] : sessions_) sessions.push_back(s);
  for (const auto& s : sessions) s->close(reason);
  {
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;
      const auto self = weak.lock();
      if (!self) return;
      std::vector<std::shared_ptr<engine_session>> rest;
      for (const auto& [id, s] : self->sessions_) rest.push_back(s);
      for (const auto& s : rest) s->abort();
      for (const auto& w : self->websockets_) {
        if (const auto ws = w.lock()) ws->abort();
      }
      for (const auto& c : self->connections_) {
        if (const auto conn = c.lock()) conn->close();
      }
      self->check_shutdown_done();
    });
  }
  check_shutdown_done();
}

void engine_core::check_shutdown_done() {
  if (!shutting_down_ || !sessions_.empty() || !shutdown_done_) return;
  // Wait for the close packets and frames still being written (bounded by the grace timer, which closes all).
  const auto busy_ws = [](const auto& weak) {
    const auto ws = weak.lock();
    return ws && !ws->finished();
  };
  const auto busy_http = [](const auto& weak) {
    const auto conn = weak.lock();
    return conn && conn->writing();
  };
  if (std::any_of(websockets_.begin(), websockets_.end(), busy_ws) ||
      std::any_of(connections_.begin(), connections_.end(), busy_http)) {
    return;
  }
  grace_timer_.cancel();
  // Idle keep-alive connections would keep the io_context busy for a minute.
  for (const auto& weak : connections_) {
    if (const auto conn = weak.lock()) conn->close();
  }
  connections_.clear();
  asio::post(io_, std::move(shutdown_done_));
  shutdown_done_ = nullptr;
}

void engine_core::stop() {
  shutting_down_ = true;
  shutdown_done_ = nullptr;
  beast::error_code ignored;
  acceptor_.close(ignored);
  grace_timer_.cancel();
  accept_retry_timer_.cancel();
  std::vector<std::shared_ptr<engine_session>> sessions;
  for (const auto& [id, s] : sessions_) sessions.push_back(s);
  for (const auto& s : sessions) s->abort();
  sessions_.clear();
  for (const auto& weak : connections_) {
    if (const auto conn = weak.lock()) conn->close();
  }
  for (const auto& weak : websockets_) {
    if (const auto ws = weak.lock()) ws->abort();
  }
  connections_.clear();
  websockets_.clear();
}

}  // namespace sio::gateway::engineio
