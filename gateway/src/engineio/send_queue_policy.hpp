// The bound on what one session may have waiting to be written (a slow or stalled reader): a packet that would take
// the queue past `max_bytes` means the client is not keeping up, and its connection is closed rather than letting
// the gateway's memory grow. Volatile packets never get here when the session is not writable (they are dropped
// by the Socket.IO layer, as Socket.IO drops them), so a reader that is merely slow only misses those.
#pragma once

#include <cstddef>

namespace sio::gateway::engineio {

struct send_queue_policy {
  std::size_t max_bytes = 0;  // 0: unbounded

  // Whether queueing `incoming` bytes behind `queued` ones goes past the bound. A queue with nothing waiting
  // takes any one packet (a single large packet is the payload limit's business, not a slow reader's).
  constexpr bool overflows(std::size_t queued, std::size_t incoming) const noexcept {
    return max_bytes != 0 && queued != 0 && queued + incoming > max_bytes;
  }
};

}  // namespace sio::gateway::engineio
