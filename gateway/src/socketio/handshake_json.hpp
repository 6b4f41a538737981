// socket.handshake as a Node server builds it (socket.io/dist/socket.js buildHandshake) and fetchSockets sends it
// (PROTOCOL.md §8.4), as JSON text.
#pragma once

#include <cstdint>
#include <string>

#include "engineio/session.hpp"
#include "sio/value.hpp"

namespace sio::gateway::socketio {

// {headers,time,address,xdomain,secure,issued,url,query,auth}; `issued_ms` is when the socket connected.
std::string handshake_json(const engineio::handshake_info& handshake, const sio::value& auth, std::int64_t issued_ms);

// `new Date(ms) + ""` on a server running in UTC: "Sun Nov 29 2026 02:10:00 GMT+0000 (Coordinated Universal Time)".
std::string js_date_string(std::int64_t ms);

}  // namespace sio::gateway::socketio
