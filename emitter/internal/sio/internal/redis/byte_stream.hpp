// A connected, non-blocking byte stream to Redis: a plain socket or TLS over one. Redis commands and replies
// (RESP) travel over it; it knows nothing of Redis.
//
// Calls never block: a call that cannot make progress says which readiness of fd() it waits for (want_read or
// want_write; TLS may need to read in order to write and the reverse). A stream is used by one thread at a time,
// except that a plain stream's write_some may run beside another thread's read_some (it is a bare send(2)).
// Writes on a TLS stream may raise SIGPIPE when the server has gone: callers block it (see sigpipe_guard.hpp).
#pragma once

#include <cstddef>
#include <string>

namespace sio::detail {

struct io_result {
  enum class status {
    ok,          // `bytes` were read or written (at least one)
    want_read,   // no progress: retry once fd() is readable
    want_write,  // no progress: retry once fd() is writable
    closed,      // the peer closed the connection
    failed,      // an I/O error; `error` says which (strerror text)
    tls_failed,  // TLS refused to go on; `error` is a whole sentence naming the endpoint and the reason
  };
  status state = status::ok;
  std::size_t bytes = 0;
  std::string error;
};

class byte_stream {
 public:
  virtual ~byte_stream() = default;

  virtual io_result read_some(char* buffer, std::size_t size) = 0;
  virtual io_result write_some(const char* data, std::size_t size) = 0;

  // Bytes already read from the socket and not yet returned (TLS decrypts whole records): a caller must read them
  // before sleeping in poll(), which cannot see them.
  virtual bool has_buffered_input() const = 0;
  // True for a TLS stream: its state must only be touched by one thread at a time (no write beside a read).
  virtual bool is_tls() const noexcept = 0;
  // The server asked for a client certificate during the handshake and none was configured: it may refuse the
  // connection on its first read (TLS 1.3 sends that refusal after the handshake).
  virtual bool client_certificate_missing() const noexcept { return false; }

  int fd() const noexcept { return fd_; }

 protected:
  explicit byte_stream(int fd) noexcept : fd_(fd) {}

 private:
  int fd_;
};

}  // namespace sio::detail
