// The plain TCP or unix socket stream: send(2) and recv(2), nothing more, so plain Redis stays as fast as it was.
#pragma once

#include "sio/internal/redis/byte_stream.hpp"
#include "redis/unique_fd.hpp"

namespace sio::detail {

class plain_stream final : public byte_stream {
 public:
  // Takes a connected, non-blocking socket.
  explicit plain_stream(unique_fd socket) noexcept;

  io_result read_some(char* buffer, std::size_t size) override;
  io_result write_some(const char* data, std::size_t size) override;
  bool has_buffered_input() const override { return false; }
  bool is_tls() const noexcept override { return false; }

 private:
  unique_fd socket_;
};

}  // namespace sio::detail
