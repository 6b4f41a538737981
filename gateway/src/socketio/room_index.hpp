// The rooms of one namespace, indexed both ways (room -> sockets, socket -> rooms), so that an operation costs
// O(targets), not O(all sockets) (socket.io-adapter's in-memory adapter: `rooms` and `sids`).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/protocol/classic_receive.hpp"  // room_target

namespace sio::gateway::socketio {

using target = sio::detail::room_target;

class room_index {
 public:
  using socket_key = std::uint64_t;  // increasing with connection order

  void add_socket(socket_key s);  // a socket in no room yet
  void join(socket_key s, std::string_view room);
  void leave(socket_key s, std::string_view room);
  void remove_socket(socket_key s);  // leaves every room

  // The sockets an operation targets (PROTOCOL.md §3.4): union of `rooms` (every socket when empty), minus the
  // sockets of any `except` room; each once, in connection order.
  std::vector<socket_key> select(const target& t) const;
  // A socket's rooms in the order it joined them; empty for an unknown socket.
  const std::vector<std::string>& rooms_of(socket_key s) const;
  std::vector<std::string> room_names() const;  // every room with at least one socket, sorted

  // Told when a room gets its first socket (`created`, with the socket that joined) and when its last one leaves, as
  // the in-memory adapter's "create-room" and "delete-room" events (the sharded adapter subscribes on them).
  std::function<void(const std::string& room, bool created, socket_key s)> on_change;

 private:
  void emptied(std::map<std::string, std::set<socket_key>, std::less<>>::iterator members, socket_key s);

  std::map<std::string, std::set<socket_key>, std::less<>> members_;
  std::map<socket_key, std::vector<std::string>> rooms_of_;
};

}  // namespace sio::gateway::socketio
