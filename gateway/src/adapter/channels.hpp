// The classic adapter's channel names for one key and namespace (PROTOCOL.md §1.2, §3.1, §8.1).
#pragma once

#include <string>
#include <string_view>

namespace sio::gateway::adapter {

struct channels {
  std::string broadcast_prefix;   // <key>#<nsp>#
  std::string broadcast_pattern;  // <key>#<nsp>#*  (PSUBSCRIBE)
  std::string request;            // <key>-request#<nsp>#
  std::string response;           // <key>-response#<nsp>#  (where a default Node responder answers)
  std::string own_response;       // <key>-response#<nsp>#<uid>#
};

channels channels_for(std::string_view key, std::string_view nsp, std::string_view uid);

}  // namespace sio::gateway::adapter
