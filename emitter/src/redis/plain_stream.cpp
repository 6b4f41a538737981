#include "redis/plain_stream.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sio::detail {

namespace {

io_result from_errno(io_result::status blocked) {
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {blocked, 0, {}};
  return {io_result::status::failed, 0, std::strerror(errno)};
}

}  // namespace

plain_stream::plain_stream(unique_fd socket) noexcept : byte_stream(socket.get()), socket_(std::move(socket)) {}

io_result plain_stream::read_some(char* buffer, std::size_t size) {
  const auto n = ::recv(fd(), buffer, size, MSG_DONTWAIT);
  if (n > 0) return {io_result::status::ok, static_cast<std::size_t>(n), {}};
  if (n == 0) return {io_result::status::closed, 0, {}};
  return from_errno(io_result::status::want_read);
}

io_result plain_stream::write_some(const char* data, std::size_t size) {
  // MSG_NOSIGNAL: a closed peer is an EPIPE error here, never a SIGPIPE that would kill the host process.
  const auto n = ::send(fd(), data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n >= 0) return {n > 0 ? io_result::status::ok : io_result::status::want_write, static_cast<std::size_t>(n), {}};
  return from_errno(io_result::status::want_write);
}

}  // namespace sio::detail
