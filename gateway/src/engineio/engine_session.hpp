// One Engine.IO session (PROTOCOL.md §7.2-§7.6): its write buffer, its transport (long-polling, or WebSocket
// directly or after an upgrade), the upgrade probe and the heartbeat.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

#include "engineio/admission.hpp"
#include "engineio/outgoing_item.hpp"
#include "engineio/packet.hpp"
#include "engineio/session.hpp"
#include "engineio/token_bucket.hpp"

namespace sio::gateway::engineio {

class engine_core;
class http_connection;
class websocket_connection;

class engine_session final : public session, public std::enable_shared_from_this<engine_session> {
 public:
  // How long a session closed by the server waits for the client's next long-poll to hand it the close packet
  // (engine.io's polling closeTimeout).
  static constexpr std::chrono::seconds polling_close_timeout{30};

  // `hold`: what the session holds until authenticated() (its budget, its place among its address' pending
  // connections).
  engine_session(engine_core& core, std::string id, handshake_info handshake, bool binary_as_base64,
                 preauth_hold hold);
  ~engine_session() override;
  engine_session(const engine_session&) = delete;
  engine_session& operator=(const engine_session&) = delete;

  // session
  const std::string& id() const noexcept override { return id_; }
  const handshake_info& handshake() const noexcept override { return handshake_; }
  std::string_view transport() const noexcept override { return websocket_ ? "websocket" : "polling"; }
  void send(std::shared_ptr<const outgoing_packet> packet, bool compress) override;
  bool writable() const noexcept override;
  void close(std::string_view reason) override;
  void authenticated() override;

  // Called by the engine. The handshake: the open packet goes out over the transport the client came with.
  void open_over_polling(const std::shared_ptr<http_connection>& get);
  void open_over_websocket(const std::shared_ptr<websocket_connection>& ws);
  void on_poll(const std::shared_ptr<http_connection>& get);   // a GET with this sid
  void on_post(const std::shared_ptr<http_connection>& post);  // a POST with this sid (header read)
  void on_probe(const std::shared_ptr<websocket_connection>& ws);  // an accepted WebSocket with this sid
  bool on_websocket() const noexcept { return websocket_; }
  bool upgrading() const noexcept { return probe_ != nullptr; }
  // Ends the session at once, without telling the handler (the engine is going away or shutdown's grace ran out).
  void abort();

  // Called by websocket_connection for the session's WebSocket or its probe.
  void on_ws_message(websocket_connection& ws, std::string_view data, bool binary);
  void on_ws_closed(websocket_connection& ws, std::string_view reason);
  // `bytes` more came from the client: how long to wait before reading more of it (--max-inbound-rate).
  token_bucket::clock::duration inbound(std::size_t bytes);

 private:
  enum class state { open, closing, closed };

  void buffer(outgoing_item item);
  void queue_control(std::string text);
  std::size_t queued_bytes() const noexcept;
  void close_slow_consumer(std::size_t queued);
  void flush();
  void answer_poll();
  void answer_poll_with(std::string_view control);
  void on_payload(std::string_view body);
  void on_text_packet(std::string_view text);
  void on_packet(packet_type type, std::string_view data, bool binary);
  void on_probe_message(std::string_view data, bool binary);
  void complete_upgrade();
  void end_upgrade(bool close_probe);
  void schedule_ping();
  void on_ping_due(std::uint64_t generation);
  void start_pong_timer();
  void arm_noop_check();
  void fail(std::string_view reason, std::string_view poll_answer = "1");
  void finalize();
  void count_sent(std::size_t packets, std::size_t bytes);
  std::size_t max_message() const noexcept;

  engine_core& core_;
  std::string id_;
  handshake_info handshake_;
  bool binary_as_base64_;
  state state_ = state::open;
  preauth_hold preauth_;  // held until authenticated()
  token_bucket inbound_;  // the client's bytes against max_inbound_rate
  bool authenticated_ = false;

  outgoing_queue buffer_;               // waiting for a long-poll (or for the upgrade to finish)
  std::size_t buffered_bytes_ = 0;                 // the bytes of buffer_'s items
  std::shared_ptr<http_connection> pending_get_;   // the held long-poll
  bool post_in_progress_ = false;
  std::shared_ptr<websocket_connection> ws_;       // the WebSocket transport, once there is one
  std::shared_ptr<websocket_connection> probe_;    // a WebSocket being probed for the upgrade
  bool websocket_ = false;  // the transport is (or was, once closed) WebSocket

  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer pong_timer_;
  boost::asio::steady_timer upgrade_timer_;
  boost::asio::steady_timer noop_timer_;
  boost::asio::steady_timer close_timer_;
  boost::asio::steady_timer inbound_timer_;  // a POST's answer held back by the inbound rate
  std::uint64_t ping_generation_ = 0;  // timers that fire after being re-armed or cancelled are ignored
  std::uint64_t pong_generation_ = 0;
  std::uint64_t upgrade_generation_ = 0;
  bool awaiting_pong_ = false;
  bool pong_timer_refreshed_ = false;
};

}  // namespace sio::gateway::engineio
