// The Socket.IO server over Engine.IO sessions: socket.io 4.8's Client (one per Engine.IO connection), Namespace,
// Socket and the in-memory adapter's room index, with the gateway's authenticator in place of middleware.
#include "socketio/server.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "auth/authenticator.hpp"
#include "engineio/base64id.hpp"
#include "socketio/encode.hpp"
#include "socketio/handshake_json.hpp"
#include "socketio/packet.hpp"
#include "socketio/room_index.hpp"
#include "socketio/text_encoding.hpp"
#include "sio/internal/value/json_writer.hpp"

namespace sio::gateway::socketio {

namespace {

struct client_state;
using ack_callback = std::function<void(const sio::value& first_arg)>;

struct socket_state {
  room_index::socket_key key = 0;
  std::string id;
  std::string pid;  // connection state recovery's private id (empty when it is off)
  sio::value data = sio::value::object({});  // socket.data as a recovered session carries it
  std::string nsp;
  client_state* owner = nullptr;  // the client outlives its sockets: removing a client removes them first
  sio::value auth;
  std::int64_t issued_ms = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<const ack_callback>> acks;  // pending broadcast acks
};

struct namespace_state {
  std::string name;
  bool announced = false;  // hooks.namespace_created was called
  std::map<room_index::socket_key, std::shared_ptr<socket_state>> sockets;
  room_index rooms;
  std::uint64_t next_ack_id = 0;  // Namespace._ids
};

struct client_state {
  client_state(boost::asio::io_context& io, std::shared_ptr<engineio::session> s, std::size_t max_attachments)
      : session(std::move(s)), decoder(max_attachments, /*keep_event_data=*/false), connect_timer(io) {}
  std::shared_ptr<engineio::session> session;
  packet_decoder decoder;
  boost::asio::steady_timer connect_timer;
  std::map<std::string, std::shared_ptr<socket_state>, std::less<>> sockets;  // by namespace
  std::set<std::string, std::less<>> restoring;  // namespaces whose CONNECT waits for a session restore
  bool joined = false;          // a socket of this client joined a namespace once (it is authenticated)
  bool refusal_told = false;    // hooks.connect_refused was called for this client
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `4` + type + (`nsp,` unless "/"): the start of every packet the server writes.
std::string packet_prefix(char type, std::string_view nsp) {
  std::string text{'4', type};
  if (nsp != "/") {
    text += nsp;
    text += ',';
  }
  return text;
}

std::shared_ptr<const outgoing_packet> text_packet(std::string text) {
  auto packet = std::make_shared<outgoing_packet>();
  packet->text = std::move(text);
  return packet;
}

}  // namespace

struct server::impl {
  impl(boost::asio::io_context& io_, server_options options_, const auth::authenticator& auth_, server_hooks hooks_)
      : io(io_), options(std::move(options_)), authenticator(auth_), hooks(std::move(hooks_)) {
    if (std::find(options.namespaces.begin(), options.namespaces.end(), "/") == options.namespaces.end())
      options.namespaces.insert(options.namespaces.begin(), "/");
    for (const auto& name : options.namespaces) namespaces[name].name = name;
  }

  boost::asio::io_context& io;
  server_options options;
  const auth::authenticator& authenticator;
  server_hooks hooks;
  std::map<std::string, namespace_state, std::less<>> namespaces;
  std::unordered_map<const engineio::session*, std::shared_ptr<client_state>> clients;
  room_index::socket_key next_socket_key = 0;
  std::size_t socket_count = 0;
  std::uint64_t volatile_dropped = 0;
  recovery_store* recovery = nullptr;
  std::uint64_t sessions_refused = 0;

  std::shared_ptr<client_state> find_client(const engineio::session* s) const {
    const auto found = clients.find(s);
    return found == clients.end() ? nullptr : found->second;
  }

  namespace_state* find_namespace(std::string_view nsp) {
    const auto found = namespaces.find(nsp);
    return found == namespaces.end() ? nullptr : &found->second;
  }
  const namespace_state* find_namespace(std::string_view nsp) const {
    const auto found = namespaces.find(nsp);
    return found == namespaces.end() ? nullptr : &found->second;
  }

  // The targeted sockets, taken up front: writing or closing may change the namespace while we go.
  std::vector<std::shared_ptr<socket_state>> select(const namespace_state& ns, const target& t) const {
    std::vector<std::shared_ptr<socket_state>> selected;
    for (room_index::socket_key key : ns.rooms.select(t)) {
      const auto found = ns.sockets.find(key);
      if (found != ns.sockets.end()) selected.push_back(found->second);
    }
    return selected;
  }

  bool still_connected(const socket_state& socket) const {
    const namespace_state* ns = find_namespace(socket.nsp);
    return ns != nullptr && ns->sockets.contains(socket.key);
  }

  // By value: the maps below may hold the last other references to the socket.
  void remove_socket(std::shared_ptr<socket_state> socket) {
    namespace_state& ns = namespaces.at(socket->nsp);
    ns.rooms.remove_socket(socket->key);
    if (ns.sockets.erase(socket->key) > 0) --socket_count;
    if (socket->owner != nullptr) socket->owner->sockets.erase(socket->nsp);
  }

  // Forgets the client and its sockets, then closes its Engine.IO session (on_close then finds nothing).
  void close_client(const std::shared_ptr<client_state>& client, std::string_view reason) {
    forget_client(*client);
    client->session->close(reason);
  }

  void forget_client(client_state& client) {
    client.connect_timer.cancel();
    while (!client.sockets.empty()) remove_socket(client.sockets.begin()->second);
    clients.erase(client.session.get());
  }

  void send_disconnect(const socket_state& socket) {
    socket.owner->session->send(text_packet(packet_prefix('1', socket.nsp)), true);
  }

  void on_connect_timeout(const std::shared_ptr<client_state>& client) {
    if (client->sockets.empty()) close_client(client, "forced close");
  }

  void on_packet(const std::shared_ptr<client_state>& client, packet p) {
    const auto socket = client->sockets.find(p.nsp);
    if (client->restoring.contains(p.nsp)) {
      // Nothing but waiting is valid until the session is restored: a client sends nothing before CONNECT's answer.
      close_client(client, "forced close");
    } else if (socket == client->sockets.end() && p.type == packet_type::connect) {
      connect(client, p.nsp, p.data ? *p.data : sio::value::object({}));
    } else if (socket != client->sockets.end() && p.type != packet_type::connect &&
               p.type != packet_type::connect_error) {
      on_socket_packet(socket->second, std::move(p));
    } else {
      // A CONNECT to a connected namespace, a packet for an unconnected one, or a CONNECT_ERROR from a client.
      close_client(client, "forced close");
    }
  }

  void connect(const std::shared_ptr<client_state>& client, const std::string& nsp, const sio::value& auth) {
    engineio::session& session = *client->session;
    namespace_state* ns = find_namespace(nsp);
    if (ns == nullptr) {
      session.send(text_packet(packet_prefix('4', nsp) + R"({"message":"Invalid namespace"})"), true);
      refused(*client, nsp, "Invalid namespace");
      return;
    }
    auth::decision decision;
    try {
      decision = authenticator.authenticate(auth, session.handshake());
    } catch (const std::exception& e) {
      decision = auth::refused{fmt::format("authentication failed: {}", e.what())};
    }
    if (const auto* refusal = std::get_if<auth::refused>(&decision)) {
      std::string text = packet_prefix('4', nsp) + R"({"message":)";
      sio::detail::write_json_string(text, to_valid_utf8(refusal->message));
      text += '}';
      session.send(text_packet(std::move(text)), true);
      refused(*client, nsp, refusal->message);
      return;
    }
    const std::string user_id = std::get<auth::accepted>(decision).user_id;
    if (recovery != nullptr && auth.type() == sio::value::kind::object) {
      const sio::value* pid = auth.find("pid");
      const sio::value* offset = auth.find("offset");
      if (pid != nullptr && pid->type() == sio::value::kind::string && offset != nullptr &&
          offset->type() == sio::value::kind::string) {
        client->restoring.emplace(nsp);
        client->connect_timer.cancel();  // authenticated: the restore is bounded by the store's own timeout
        recovery->restore(nsp, pid->as_string(), offset->as_string(),
                          [this, weak = std::weak_ptr<client_state>(client), nsp, user_id,
                           auth](std::optional<restored_session> restored) {
                            const auto alive = weak.lock();
                            if (!alive || find_client(alive->session.get()) != alive) return;  // gone meanwhile
                            if (alive->restoring.erase(nsp) == 0) return;
                            try {
                              join_namespace(alive, nsp, user_id, auth, std::move(restored));
                            } catch (const std::exception&) {
                              close_client(alive, "server error");
                            }
                          });
        return;
      }
    }
    join_namespace(client, nsp, user_id, auth, std::nullopt);
  }

  // A restored session is only taken for the user it belonged to: its "user:" rooms must be this user's.
  static bool session_of_user(const sio::detail::recovery_session& session, const std::string& user_id) {
    const std::string own = "user:" + user_id;
    return std::all_of(session.rooms.begin(), session.rooms.end(), [&](const std::string& room) {
      return !room.starts_with("user:") || (!user_id.empty() && room == own);
    });
  }

  void join_namespace(const std::shared_ptr<client_state>& client, const std::string& nsp, const std::string& user_id,
                      const sio::value& auth, std::optional<restored_session> restored) {
    engineio::session& session = *client->session;
    namespace_state* ns = find_namespace(nsp);
    if (restored && !session_of_user(restored->session, user_id)) {
      restored.reset();
      ++sessions_refused;
    }
    if (!ns->announced) {
      ns->announced = true;
      if (hooks.namespace_created) hooks.namespace_created(nsp);
    }
    auto socket = std::make_shared<socket_state>();
    socket->key = next_socket_key++;
    socket->nsp = nsp;
    socket->owner = client.get();
    socket->auth = auth;
    socket->issued_ms = now_ms();
    ns->sockets.emplace(socket->key, socket);
    ns->rooms.add_socket(socket->key);
    if (restored) {
      // As socket.io's Socket constructor: the previous id, pid and data, and its rooms in their order.
      socket->id = std::move(restored->session.sid);
      socket->pid = std::move(restored->session.pid);
      socket->data = std::move(restored->session.data);
      for (const auto& room : restored->session.rooms) ns->rooms.join(socket->key, room);
      ns->rooms.join(socket->key, socket->id);
    } else {
      socket->id = new_base64id();
      if (recovery != nullptr) socket->pid = new_base64id();
      ns->rooms.join(socket->key, socket->id);
    }
    if (!user_id.empty()) ns->rooms.join(socket->key, "user:" + user_id);
    client->sockets.emplace(nsp, socket);
    ++socket_count;
    client->connect_timer.cancel();
    if (!client->joined) {
      client->joined = true;
      session.authenticated();
    }

    std::string text = packet_prefix('0', nsp) + R"({"sid":)";
    sio::detail::write_json_string(text, socket->id);
    if (!socket->pid.empty()) {
      text += R"(,"pid":)";
      sio::detail::write_json_string(text, socket->pid);
    }
    text += '}';
    session.send(text_packet(std::move(text)), true);
    // The packets it missed, in order (the client emits them after "connect"): each ends with its offset.
    if (restored)
      for (const auto& data : restored->missed) session.send(encode_event(nsp, data), true);
  }

  // A recoverable disconnection keeps each socket's session (socket.io's Socket._onclose).
  void persist_sessions(const client_state& client, std::string_view reason) {
    if (recovery == nullptr || !sio::detail::recoverable_disconnect_reason(reason)) return;
    for (const auto& [name, socket] : client.sockets) {
      if (socket->pid.empty()) continue;
      const namespace_state& ns = namespaces.at(socket->nsp);
      recovery->persist(socket->nsp, {socket->id, socket->pid, ns.rooms.rooms_of(socket->key), socket->data});
    }
  }

  void refused(client_state& client, std::string_view nsp, std::string_view reason) {
    if (client.refusal_told || !hooks.connect_refused) return;
    client.refusal_told = true;
    hooks.connect_refused(*client.session, nsp, reason);
  }

  void on_socket_packet(const std::shared_ptr<socket_state>& socket, packet p) {
    switch (p.type) {
      case packet_type::event:
      case packet_type::binary_event:
        // No application handlers: nothing listens, so an ack the client asked for is never sent (as Node).
        break;
      case packet_type::ack:
      case packet_type::binary_ack: {
        if (!p.id) break;
        const auto pending = socket->acks.find(*p.id);
        if (pending == socket->acks.end()) break;
        const auto callback = pending->second;
        socket->acks.erase(pending);
        const bool has_args = p.data && !p.data->as_array().empty();
        (*callback)(has_args ? p.data->as_array().front() : sio::value::undefined());
        break;
      }
      case packet_type::disconnect: remove_socket(socket); break;
      case packet_type::connect:
      case packet_type::connect_error: break;  // handled by on_packet
    }
  }
};

server::server(boost::asio::io_context& io, server_options options, const auth::authenticator& auth,
               server_hooks hooks)
    : impl_(std::make_unique<impl>(io, std::move(options), auth, std::move(hooks))) {}

server::~server() = default;

void server::on_open(const std::shared_ptr<engineio::session>& s) {
  auto client = std::make_shared<client_state>(impl_->io, s, impl_->options.max_attachments);
  impl_->clients[s.get()] = client;
  client->connect_timer.expires_after(impl_->options.connect_timeout);
  client->connect_timer.async_wait(
      [weak = std::weak_ptr<client_state>(client), self = impl_.get()](const boost::system::error_code& ec) {
        const auto alive = weak.lock();  // checked first: the server may be gone with its clients
        if (ec || !alive) return;
        if (self->find_client(alive->session.get()) == alive) self->on_connect_timeout(alive);
      });
}

void server::on_message(const std::shared_ptr<engineio::session>& s, std::string_view data, bool binary) {
  const auto client = impl_->find_client(s.get());
  if (!client) return;
  // An empty Engine.IO message ("4") reaches a Node server as `undefined`, which its decoder refuses: the
  // connection closes. (socket.io-parser alone would read "" as CONNECT; it never sees "" from engine.io.)
  if (!binary && data.empty()) {
    impl_->close_client(client, "parse error");
    return;
  }
  // Before a socket joined a namespace the client is not authenticated: nothing but a CONNECT is read, so nothing
  // of what it sends is kept (a binary event's attachments would be, until the connect timeout). Node would close
  // the connection once such a packet was decoded, finding no socket for it.
  if (!client->joined && (binary || data.front() != '0')) {
    impl_->close_client(client, "forced close");
    return;
  }
  std::optional<packet> p;
  try {
    p = binary ? client->decoder.add_binary(data) : client->decoder.add_text(data);
  } catch (const decode_error&) {
    impl_->close_client(client, "parse error");
    return;
  }
  if (!p) return;
  try {
    impl_->on_packet(client, std::move(*p));
  } catch (const std::exception&) {
    // Nothing a client sends may take the I/O thread down; a packet we cannot handle ends its connection.
    if (impl_->find_client(s.get()) == client) impl_->close_client(client, "server error");
  }
}

void server::on_close(const std::shared_ptr<engineio::session>& s, std::string_view reason) {
  if (const auto client = impl_->find_client(s.get())) {
    impl_->persist_sessions(*client, reason);
    impl_->forget_client(*client);
  }
}

std::size_t server::broadcast(std::string_view nsp, const target& t,
                              const std::shared_ptr<const outgoing_packet>& packet, broadcast_flags flags) {
  const namespace_state* ns = impl_->find_namespace(nsp);
  if (ns == nullptr) return 0;
  std::size_t written = 0;
  for (const auto& socket : impl_->select(*ns, t)) {
    if (!impl_->still_connected(*socket)) continue;
    engineio::session& session = *socket->owner->session;
    if (flags.volatile_ && !session.writable()) {
      ++impl_->volatile_dropped;
      continue;
    }
    session.send(packet, flags.compress);
    ++written;
  }
  return written;
}

std::size_t server::broadcast_with_ack(std::string_view nsp, const target& t, const sio::value& data,
                                       std::function<void(const sio::value& first_arg)> on_ack) {
  namespace_state* ns = impl_->find_namespace(nsp);
  if (ns == nullptr) return 0;
  // As the in-memory adapter's broadcastWithAck: one id from the namespace counter, one encoding, and every
  // targeted socket waits for its own client's ACK with that id.
  const std::uint64_t id = ns->next_ack_id++;
  const auto packet = encode_event(nsp, data, id);
  const auto callback = std::make_shared<const ack_callback>(std::move(on_ack));
  std::size_t clients = 0;
  for (const auto& socket : impl_->select(*ns, t)) {
    if (!impl_->still_connected(*socket)) continue;
    socket->acks[id] = callback;
    socket->owner->session->send(packet, true);
    ++clients;
  }
  return clients;
}

void server::join(std::string_view nsp, const target& t, const std::vector<std::string>& rooms) {
  namespace_state* ns = impl_->find_namespace(nsp);
  if (ns == nullptr) return;
  for (const auto& socket : impl_->select(*ns, t))
    for (const auto& room : rooms) ns->rooms.join(socket->key, room);
}

void server::leave(std::string_view nsp, const target& t, const std::vector<std::string>& rooms) {
  namespace_state* ns = impl_->find_namespace(nsp);
  if (ns == nullptr) return;
  for (const auto& socket : impl_->select(*ns, t))
    for (const auto& room : rooms) ns->rooms.leave(socket->key, room);
}

void server::disconnect(std::string_view nsp, const target& t, bool close) {
  const namespace_state* ns = impl_->find_namespace(nsp);
  if (ns == nullptr) return;
  for (const auto& socket : impl_->select(*ns, t)) {
    if (!impl_->still_connected(*socket)) continue;  // its connection was closed earlier in this loop
    if (!close) {
      impl_->send_disconnect(*socket);
      impl_->remove_socket(socket);
      continue;
    }
    // socket.disconnect(true) = client._disconnect(): every namespace socket of the connection gets DISCONNECT,
    // then the Engine.IO connection is closed.
    const auto client = impl_->find_client(socket->owner->session.get());
    if (!client) continue;
    std::vector<std::shared_ptr<socket_state>> in_connect_order;
    for (const auto& [name, each] : client->sockets) in_connect_order.push_back(each);
    std::sort(in_connect_order.begin(), in_connect_order.end(),
              [](const auto& a, const auto& b) { return a->key < b->key; });
    for (const auto& each : in_connect_order) impl_->send_disconnect(*each);
    impl_->close_client(client, "forced close");
  }
}

std::vector<std::string> server::socket_ids(std::string_view nsp, const std::vector<std::string>& rooms) const {
  std::vector<std::string> ids;
  const namespace_state* ns = impl_->find_namespace(nsp);
  if (ns == nullptr) return ids;
  for (const auto& socket : impl_->select(*ns, target{rooms, {}})) ids.push_back(socket->id);
  return ids;
}

std::vector<std::string> server::all_rooms(std::string_view nsp) const {
  const namespace_state* ns = impl_->find_namespace(nsp);
  return ns == nullptr ? std::vector<std::string>{} : ns->rooms.room_names();
}

std::vector<socket_description> server::fetch_sockets(std::string_view nsp, const target& t) const {
  std::vector<socket_description> described;
  const namespace_state* ns = impl_->find_namespace(nsp);
  if (ns == nullptr) return described;
  for (const auto& socket : impl_->select(*ns, t)) {
    socket_description d;
    d.id = socket->id;
    d.handshake_json = handshake_json(socket->owner->session->handshake(), socket->auth, socket->issued_ms);
    d.rooms = ns->rooms.rooms_of(socket->key);
    described.push_back(std::move(d));
  }
  return described;
}

std::vector<std::string> server::namespaces() const { return impl_->options.namespaces; }

void server::on_room_change(room_listener listener) {
  for (auto& entry : impl_->namespaces) {
    namespace_state& ns = entry.second;  // not a structured binding: clang before 16 cannot capture one
    if (!listener) {
      ns.rooms.on_change = nullptr;
      continue;
    }
    // A socket's own room is created when it connects, by its own join, and deleted when it leaves: the socket
    // that changed the room tells whether the room is its id.
    ns.rooms.on_change = [&ns, listener](const std::string& room, bool created, room_index::socket_key s) {
      const auto socket = ns.sockets.find(s);
      listener(ns.name, room, created, socket != ns.sockets.end() && socket->second->id == room);
    };
  }
}

std::size_t server::socket_count() const noexcept { return impl_->socket_count; }

void server::enable_recovery(recovery_store& store) { impl_->recovery = &store; }
std::uint64_t server::sessions_refused() const noexcept { return impl_->sessions_refused; }

std::uint64_t server::volatile_dropped() const noexcept { return impl_->volatile_dropped; }

}  // namespace sio::gateway::socketio
