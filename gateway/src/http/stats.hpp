// One snapshot of what the gateway's layers count, for /healthz and /metrics.
#pragma once

#include <cstddef>
#include <cstdint>

#include "adapter/redis_adapter.hpp"
#include "engineio/server.hpp"

namespace sio::gateway::http {

struct gateway_stats {
  engineio::server_stats engine;
  std::size_t sockets = 0;  // connected Socket.IO sockets, all namespaces
  std::uint64_t volatile_dropped = 0;  // volatile packets not written to sockets that were not writable
  std::uint64_t sessions_refused = 0;  // recovery: sessions of another user than the CONNECT's (not restored)
  adapter::adapter_stats redis;
};

}  // namespace sio::gateway::http
