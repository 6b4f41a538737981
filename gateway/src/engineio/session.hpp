// The seam between the Engine.IO transport layer (engineio/) and the Socket.IO layer (socketio/).
// Everything here is used on the gateway's single I/O thread: no locking.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::gateway {

// One Socket.IO packet, encoded once and shared by every socket it is written to (PROTOCOL.md §3.4).
struct outgoing_packet {
  std::string text;                      // the Engine.IO message: "4" + Socket.IO text, e.g. 42["e",1]
  std::vector<std::string> attachments;  // binary attachments of a BINARY_EVENT (451-...), in order
};

}  // namespace sio::gateway

namespace sio::gateway::engineio {

// What the client's opening request looked like: Socket.IO exposes it as socket.handshake (fetchSockets, §8.4).
struct handshake_info {
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, in arrival order
  std::vector<std::pair<std::string, std::string>> query;    // decoded query parameters, in order
  std::string url;      // request target, e.g. /socket.io/?EIO=4&transport=polling&t=abc
  std::string address;  // remote IP address (socket.handshake.address, as Node reports it)
  // The client's address: `address`, or the one a trusted proxy forwarded (--trust-proxy). Handshake limits and
  // logs use it.
  std::string client_address;
  bool secure = false;
  bool xdomain = false;      // an Origin header was present
  std::int64_t issued_ms = 0;  // ms since the epoch
};

// One Engine.IO connection, whatever its transport (polling, websocket, or polling upgraded to websocket).
class session {
 public:
  virtual ~session() = default;

  virtual const std::string& id() const noexcept = 0;  // the Engine.IO sid (base64id)
  virtual const handshake_info& handshake() const noexcept = 0;
  virtual std::string_view transport() const noexcept = 0;  // "polling" or "websocket"

  // Queues a packet: its text as an Engine.IO message, then each attachment as a binary message. Packets leave in
  // the order they were queued (over polling with the next GET, `\x1e`-joined; binary as b<base64>).
  // `compress` is the packet's compress flag (permessage-deflate / HTTP compression may be used when true).
  virtual void send(std::shared_ptr<const outgoing_packet> packet, bool compress) = 0;

  // Whether a packet queued now would be written at once (WebSocket not mid-write, or polling with a GET
  // pending): volatile packets are dropped for sessions that are not writable (PROTOCOL.md §3.4).
  virtual bool writable() const noexcept = 0;

  // Closes the connection: over polling a pending GET gets the close packet "1"; over WebSocket the "1" packet is
  // sent, then the socket closed. handler::on_close follows with `reason`.
  virtual void close(std::string_view reason) = 0;

  // The handler admitted the client (a socket joined a namespace): until then a session may send no message
  // larger than a CONNECT (server_options::max_connect_payload) and holds that much of the pre-authentication
  // budget; from now on its limit is max_payload and the budget is given back.
  virtual void authenticated() {}
};

// Implemented by the Socket.IO layer: the transport layer calls it on the I/O thread.
class handler {
 public:
  virtual ~handler() = default;
  // A new Engine.IO session completed its handshake.
  virtual void on_open(const std::shared_ptr<session>& s) = 0;
  // One Engine.IO message: text without the leading "4", or binary bytes (already base64-decoded for polling).
  virtual void on_message(const std::shared_ptr<session>& s, std::string_view data, bool binary) = 0;
  // The session is gone ("transport close", "ping timeout", "transport error", "forced close", "server shutting
  // down", ...). No call for `s` follows.
  virtual void on_close(const std::shared_ptr<session>& s, std::string_view reason) = 0;
};

}  // namespace sio::gateway::engineio
