// CORS for the polling transport (PROTOCOL.md §7.4): browsers on other origins read polling responses only when
// they carry Access-Control-Allow-Origin. Off when no origin is configured (Node's default).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engineio/server.hpp"

namespace sio::gateway::engineio {

// Whether `origin` may read responses: listed exactly, or "*" is listed.
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin);

// Adds Access-Control-Allow-Origin (the request's Origin), Vary: Origin and, with credentials,
// Access-Control-Allow-Credentials: true when the request's Origin is allowed; nothing otherwise.
void add_cors_headers(const server_options& options, const http_request& req, http_response& res);

// The answer to an OPTIONS preflight on the Engine.IO path: 204 with the CORS headers, the allowed methods and the
// request's Access-Control-Request-Headers reflected (as the `cors` package does).
http_response preflight_response(const server_options& options, const http_request& req);

}  // namespace sio::gateway::engineio
