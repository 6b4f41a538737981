// Opens the socket of a Redis endpoint: TCP (every address of the host in turn, TCP_NODELAY) or a unix socket,
// bounded by a deadline. The socket comes back connected, non-blocking and close-on-exec.
#pragma once

#include <chrono>

#include "sio/internal/redis/redis_url.hpp"
#include "redis/unique_fd.hpp"

namespace sio::detail {

// Throws sio::connection_error ("cannot connect to Redis at <endpoint>: Connection refused") or
// sio::timeout_error ("... within N ms ..."); `timeout` is the whole budget, for the messages.
unique_fd connect_socket(const redis_endpoint& endpoint, std::chrono::steady_clock::time_point deadline,
                         std::chrono::milliseconds timeout);

}  // namespace sio::detail
