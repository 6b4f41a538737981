#include "adapter/redis_adapter.hpp"

#include <algorithm>
#include <utility>

#include "adapter/adapter_engine.hpp"
#include "adapter/adapter_sink.hpp"
#include "socketio/encode.hpp"

namespace sio::gateway::adapter {

namespace {

// The adapter's effects applied to the Socket.IO layer.
class server_sink final : public adapter_sink {
 public:
  explicit server_sink(socketio::server& sockets) : sockets_(sockets) {}

  bool has_room(std::string_view nsp, const std::string& room) const override {
    return !sockets_.socket_ids(nsp, {room}).empty();
  }
  std::size_t broadcast(std::string_view nsp, const broadcast_message& message) override {
    // Encoded once for every target (PROTOCOL.md §3.4).
    return sockets_.broadcast(nsp, message.target, socketio::encode_event(nsp, message.data), message.flags);
  }
  std::size_t broadcast_with_ack(std::string_view nsp, const socketio::target& t, const sio::value& data,
                                 std::function<void(const sio::value&)> on_ack) override {
    return sockets_.broadcast_with_ack(nsp, t, data, std::move(on_ack));
  }
  void join(std::string_view nsp, const socketio::target& t, const std::vector<std::string>& rooms) override {
    sockets_.join(nsp, t, rooms);
  }
  void leave(std::string_view nsp, const socketio::target& t, const std::vector<std::string>& rooms) override {
    sockets_.leave(nsp, t, rooms);
  }
  void disconnect(std::string_view nsp, const socketio::target& t, bool close) override {
    sockets_.disconnect(nsp, t, close);
  }
  std::vector<std::string> socket_ids(std::string_view nsp, const std::vector<std::string>& rooms) const override {
    return sockets_.socket_ids(nsp, rooms);
  }
  std::vector<std::string> all_rooms(std::string_view nsp) const override { return sockets_.all_rooms(nsp); }
  std::vector<socketio::socket_description> fetch_sockets(std::string_view nsp,
                                                          const socketio::target& t) const override {
    return sockets_.fetch_sockets(nsp, t);
  }

 private:
  socketio::server& sockets_;
};

}  // namespace

// Connection state recovery's sessions: where the streams adapter keeps them (the engine's Redis side).
class engine_recovery_store final : public socketio::recovery_store {
 public:
  explicit engine_recovery_store(adapter_engine& engine) : engine_(engine) {}
  void persist(std::string_view nsp, const sio::detail::recovery_session& session) override {
    engine_.persist_session(nsp, session);
  }
  void restore(std::string nsp, std::string pid, std::string offset,
               std::function<void(std::optional<socketio::restored_session>)> done) override {
    engine_.restore_session(std::move(nsp), std::move(pid), std::move(offset), std::move(done));
  }

 private:
  adapter_engine& engine_;
};

struct redis_adapter::impl {
  server_sink sink;
  adapter_engine engine;
  engine_recovery_store recovery{engine};

  socketio::server& sockets;

  impl(boost::asio::io_context& io, adapter_options options, socketio::server& s)
      : sink(s), engine(io, options, sink, s.namespaces()), sockets(s) {
    // Sharded mode follows the rooms (the engine ignores them otherwise).
    sockets.on_room_change([this](std::string_view nsp, const std::string& room, bool created, bool socket_room) {
      engine.room_changed(nsp, room, created, socket_room);
    });
    if (options.recovery && options.mode == sio::Options::adapter_mode::streams) sockets.enable_recovery(recovery);
  }
  ~impl() { sockets.on_room_change(nullptr); }
};

redis_adapter::redis_adapter(boost::asio::io_context& io, adapter_options options, socketio::server& sockets)
    : impl_(std::make_unique<impl>(io, std::move(options), sockets)) {}

redis_adapter::~redis_adapter() { impl_->engine.stop(); }

void redis_adapter::start() { impl_->engine.start(); }
void redis_adapter::stop() { impl_->engine.stop(); }
adapter_stats redis_adapter::stats() const { return impl_->engine.stats(); }
std::string redis_adapter::uid() const { return impl_->engine.uid(); }

}  // namespace sio::gateway::adapter
