// GET /healthz: whether this gateway can deliver (Redis subscribed), for load balancers and orchestrators.
#pragma once

#include "engineio/server.hpp"
#include "http/stats.hpp"

namespace sio::gateway::http {

// 200 {"status":"ok","redis":"connected","sockets":N}, or 503 {"status":"unavailable","redis":"disconnected",...}:
// a gateway without Redis accepts sockets that would never receive a notification.
engineio::http_response health_response(const gateway_stats& stats, unsigned http_version);

}  // namespace sio::gateway::http
