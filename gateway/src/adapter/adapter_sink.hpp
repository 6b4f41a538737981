// What the adapter does to local sockets: the socketio::server operations, behind an interface so the Redis side
// can be tested without the Socket.IO layer. Every call happens on the I/O thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/protocol/classic_receive.hpp"
#include "sio/value.hpp"
#include "socketio/server.hpp"

namespace sio::gateway::adapter {

using sio::detail::broadcast_message;  // decoded by the protocol layer (classic_receive.hpp)

class adapter_sink {
 public:
  virtual ~adapter_sink() = default;

  virtual bool has_room(std::string_view nsp, const std::string& room) const = 0;
  // Encodes message.data once and writes it to the targets; returns how many sockets it was written to.
  virtual std::size_t broadcast(std::string_view nsp, const broadcast_message& message) = 0;
  virtual std::size_t broadcast_with_ack(std::string_view nsp, const socketio::target& t, const sio::value& data,
                                         std::function<void(const sio::value& first_arg)> on_ack) = 0;
  virtual void join(std::string_view nsp, const socketio::target& t, const std::vector<std::string>& rooms) = 0;
  virtual void leave(std::string_view nsp, const socketio::target& t, const std::vector<std::string>& rooms) = 0;
  virtual void disconnect(std::string_view nsp, const socketio::target& t, bool close) = 0;
  virtual std::vector<std::string> socket_ids(std::string_view nsp, const std::vector<std::string>& rooms) const = 0;
  virtual std::vector<std::string> all_rooms(std::string_view nsp) const = 0;
  virtual std::vector<socketio::socket_description> fetch_sockets(std::string_view nsp,
                                                                  const socketio::target& t) const = 0;
};

}  // namespace sio::gateway::adapter
