#include "adapter/channels.hpp"

namespace sio::gateway::adapter {

channels channels_for(std::string_view key, std::string_view nsp, std::string_view uid) {
  const std::string k(key);
  const std::string n(nsp);
  channels c;
  c.broadcast_prefix = k + "#" + n + "#";
  c.broadcast_pattern = c.broadcast_prefix + "*";
  c.request = k + "-request#" + n + "#";
  c.response = k + "-response#" + n + "#";
  c.own_response = c.response + std::string(uid) + "#";
  return c;
}

}  // namespace sio::gateway::adapter
