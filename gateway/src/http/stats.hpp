// One snapshot of what the gateway's layers count, for /healthz and /metrics.
#pragma once

#include <cstddef>

#include "adapter/redis_adapter.hpp"
#include "engineio/server.hpp"

namespace sio::gateway::http {

struct gateway_stats {
  engineio::server_stats engine;
  std::size_t sockets = 0;  // connected Socket.IO sockets, all namespaces
  adapter::adapter_stats redis;
};

}  // namespace sio::gateway::http
