// One Redis command as the protocol layer's encoders produce it and the pipeline, the cluster router and the
// client send it. The Redis layer knows nothing of what the bytes mean.
#pragma once

#include <string>
#include <vector>

namespace sio::detail {

// `verb channel [between...] payload`, binary-safe. PUBLISH and SPUBLISH have nothing between; XADD has its
// trimming, id and the fields before "data" (protocol/streams_codec.hpp).
struct command {
  std::string verb;
  std::string channel;  // the channel, or the stream's key (the cluster router routes by its slot)
  std::string payload;
  std::vector<std::string> between{};
};

}  // namespace sio::detail
