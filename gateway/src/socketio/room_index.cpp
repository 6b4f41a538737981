#include "socketio/room_index.hpp"

#include <algorithm>

#include "socketio/server.hpp"

namespace sio::gateway::socketio {

void room_index::add_socket(socket_key s) { rooms_of_.try_emplace(s); }

void room_index::join(socket_key s, std::string_view room) {
  auto socket = rooms_of_.find(s);
  if (socket == rooms_of_.end()) return;
  auto& rooms = socket->second;
  if (std::find(rooms.begin(), rooms.end(), room) != rooms.end()) return;
  rooms.emplace_back(room);
  auto members = members_.find(room);
  const bool created = members == members_.end();
  if (created) members = members_.emplace(std::string(room), std::set<socket_key>{}).first;
  members->second.insert(s);
  if (created && on_change) on_change(members->first, true, s);
}

void room_index::emptied(std::map<std::string, std::set<socket_key>, std::less<>>::iterator members, socket_key s) {
  const std::string room = members->first;
  members_.erase(members);  // as the adapter's "delete-room"
  if (on_change) on_change(room, false, s);
}

void room_index::leave(socket_key s, std::string_view room) {
  auto socket = rooms_of_.find(s);
  if (socket == rooms_of_.end()) return;
  auto& rooms = socket->second;
  const auto joined = std::find(rooms.begin(), rooms.end(), room);
  if (joined == rooms.end()) return;
  rooms.erase(joined);
  auto members = members_.find(room);
  if (members == members_.end()) return;
  members->second.erase(s);
  if (members->second.empty()) emptied(members, s);
}

void room_index::remove_socket(socket_key s) {
  auto socket = rooms_of_.find(s);
  if (socket == rooms_of_.end()) return;
  for (const auto& room : socket->second) {
    auto members = members_.find(room);
    if (members == members_.end()) continue;
    members->second.erase(s);
    if (members->second.empty()) emptied(members, s);
  }
  rooms_of_.erase(socket);
}

std::vector<room_index::socket_key> room_index::select(const target& t) const {
  std::set<socket_key> excluded;
  for (const auto& room : t.except) {
    const auto members = members_.find(room);
    if (members != members_.end()) excluded.insert(members->second.begin(), members->second.end());
  }
  std::vector<socket_key> selected;
  if (t.rooms.empty()) {
    for (const auto& [s, rooms] : rooms_of_)
      if (!excluded.contains(s)) selected.push_back(s);
    return selected;
  }
  std::set<socket_key> chosen;
  for (const auto& room : t.rooms) {
    const auto members = members_.find(room);
    if (members == members_.end()) continue;
    for (socket_key s : members->second)
      if (!excluded.contains(s)) chosen.insert(s);
  }
  return {chosen.begin(), chosen.end()};
}

const std::vector<std::string>& room_index::rooms_of(socket_key s) const {
  static const std::vector<std::string> none;
  const auto socket = rooms_of_.find(s);
  return socket == rooms_of_.end() ? none : socket->second;
}

std::vector<std::string> room_index::room_names() const {
  std::vector<std::string> names;
  names.reserve(members_.size());
  for (const auto& [room, members] : members_) names.push_back(room);
  return names;
}

}  // namespace sio::gateway::socketio
