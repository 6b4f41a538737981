#include "redis/socket_connect.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "sio/error.hpp"

namespace sio::detail {

namespace {

using clock = std::chrono::steady_clock;

struct addrinfo_deleter {
  void operator()(addrinfo* list) const noexcept { freeaddrinfo(list); }
};

// One connect attempt. Returns the socket, or an invalid one with `error` set (errno value; ETIMEDOUT when the
// deadline passed).
unique_fd try_connect(int family, int type, int protocol, const sockaddr* address, socklen_t length,
                      clock::time_point deadline, int& error) {
  unique_fd socket(::socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol));
  if (socket.get() < 0) {
    error = errno;
    return {};
  }
  if (::connect(socket.get(), address, length) == 0) return socket;
  if (errno != EINPROGRESS && errno != EINTR) {
    error = errno;
    return {};
  }
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) {
      error = ETIMEDOUT;
      return {};
    }
    pollfd pfd{socket.get(), POLLOUT, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (ready < 0 && errno != EINTR) {
      error = errno;
      return {};
    }
    if (ready > 0) break;
  }
  int status = 0;
  socklen_t status_length = sizeof status;
  if (::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &status, &status_length) != 0) status = errno;
  if (status != 0) {
    error = status;
    return {};
  }
  return socket;
}

[[noreturn]] void fail(const redis_endpoint& endpoint, std::chrono::milliseconds timeout, int error) {
  if (error == ETIMEDOUT)
    throw timeout_error(fmt::format("cannot connect to Redis at {} within {} ms: {}", endpoint.describe(),
                                    timeout.count(), std::strerror(ETIMEDOUT)));
  throw connection_error(fmt::format("cannot connect to Redis at {}: {}", endpoint.describe(), std::strerror(error)));
}

unique_fd connect_unix(const redis_endpoint& endpoint, clock::time_point deadline, std::chrono::milliseconds timeout) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (endpoint.path.size() >= sizeof address.sun_path)
    throw connection_error(fmt::format("cannot connect to Redis at {}: the socket path is too long",
                                       endpoint.describe()));
  std::memcpy(address.sun_path, endpoint.path.c_str(), endpoint.path.size() + 1);
  int error = 0;
  auto socket = try_connect(AF_UNIX, SOCK_STREAM, 0, reinterpret_cast<const sockaddr*>(&address),
                            static_cast<socklen_t>(sizeof address), deadline, error);
  if (socket.get() < 0) fail(endpoint, timeout, error);
  return socket;
}

unique_fd connect_tcp(const redis_endpoint& endpoint, clock::time_point deadline, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const auto port = std::to_string(endpoint.port);
  if (const int status = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found); status != 0)
    throw connection_error(fmt::format("cannot connect to Redis at {}: {}", endpoint.describe(),
                                       status == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(status)));
  const std::unique_ptr<addrinfo, addrinfo_deleter> addresses(found);
  int error = ECONNREFUSED;
  for (const addrinfo* address = addresses.get(); address != nullptr; address = address->ai_next) {
    auto socket = try_connect(address->ai_family, address->ai_socktype, address->ai_protocol, address->ai_addr,
                              address->ai_addrlen, deadline, error);
    if (socket.get() < 0) {
      if (error == ETIMEDOUT) break;
      continue;
    }
    // Commands are written whole and in batches already: Nagle's delay would only hold back a lone command.
    const int on = 1;
    ::setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return socket;
  }
  fail(endpoint, timeout, error);
}

}  // namespace

unique_fd connect_socket(const redis_endpoint& endpoint, clock::time_point deadline,
                         std::chrono::milliseconds timeout) {
  return endpoint.kind == redis_endpoint::transport::tcp ? connect_tcp(endpoint, deadline, timeout)
                                                         : connect_unix(endpoint, deadline, timeout);
}

}  // namespace sio::detail
