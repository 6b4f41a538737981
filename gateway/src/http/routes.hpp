// Everything the gateway answers outside /socket.io/: /healthz, /metrics, the demo page and its assets.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "engineio/server.hpp"
#include "http/stats.hpp"

namespace sio::gateway::http {

struct routes_options {
  // The socket.io-client browser bundle (socket.io.min.js) served at /socket.io.min.js for the demo page;
  // nullopt: that path answers 404 and the page says the bundle is missing.
  std::optional<std::string> client_bundle;
  // Which paths are answered: /healthz and /metrics (the admin routes), and the demo page with its assets. With
  // --admin-listen the client port serves the page only and the admin port the admin routes only.
  bool admin = true;
  bool page = true;
};

// The engineio::server route callback. `stats` is called on the I/O thread for each /healthz and /metrics.
engineio::route_handler make_routes(routes_options options, std::function<gateway_stats()> stats);

}  // namespace sio::gateway::http
