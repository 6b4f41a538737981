// TLS over a connected socket (OpenSSL): the client side of rediss://. Verification is on unless the settings
// turn it off: the server's chain must lead to a trusted CA (ca_file, ca_dir, or the system's store) and its
// certificate must name the host (the URL's, or server_name; IP addresses are checked as IP addresses). SNI is
// sent for host names, not for IP literals. TLS 1.2 at least.
#pragma once

#include <chrono>
#include <memory>

#include "sio/internal/redis/byte_stream.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "redis/unique_fd.hpp"

namespace sio::detail {

// Runs the handshake on `socket` (connected, non-blocking) until `deadline` and returns the stream. Throws
// sio::tls_error for a refused certificate, a bad CA/certificate/key file or a failed handshake (the message
// names the endpoint and OpenSSL's reason), sio::timeout_error when the handshake does not finish in time
// (`timeout` is the budget, for the message). Blocks SIGPIPE while it writes.
std::unique_ptr<byte_stream> start_tls(unique_fd socket, const redis_endpoint& endpoint,
                                       std::chrono::steady_clock::time_point deadline,
                                       std::chrono::milliseconds timeout);

}  // namespace sio::detail
