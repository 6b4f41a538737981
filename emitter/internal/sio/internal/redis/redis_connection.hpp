// One synchronous Redis connection: connect (TCP or unix socket, TLS for rediss://), AUTH, SELECT, then pipelined
// commands with timeouts. It speaks RESP over a byte_stream and parses replies with hiredis' reader. It knows
// Redis, not Socket.IO. Not thread-safe: the owner serialises calls.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/redis/byte_stream.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/error.hpp"

struct redisReader;
struct redisReply;

namespace sio::detail {

struct redis_reply {
  enum class type { integer, status, string, nil, array, error };
  type kind = type::nil;
  long long integer = 0;
  std::string text;  // status, string or error text
  std::vector<redis_reply> elements;  // array
};

// One command: its arguments, binary-safe ("PUBLISH", channel, payload).
using redis_command = std::vector<std::string_view>;

class redis_connection {
 public:
  // Connects (with the TLS handshake for a TLS endpoint, within the same connect timeout), authenticates
  // (AUTH [user] password) and selects the db. Throws sio::connection_error, sio::timeout_error, sio::tls_error or
  // sio::auth_error with a message naming the endpoint (never the password).
  redis_connection(const redis_endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                   std::chrono::milliseconds command_timeout);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Writes all commands at once, then reads one reply for each, in order. Error replies are returned, not
  // thrown. I/O failures throw sio::connection_error or sio::timeout_error and leave the connection broken().
  std::vector<redis_reply> pipeline(std::span<const redis_command> commands);

  // Writes the commands and reads nothing: their replies come through read_push (SUBSCRIBE and PSUBSCRIBE answer
  // once per channel, and messages may come between the answers). Throws as pipeline() does.
  void send(std::span<const redis_command> commands);

  // For a subscribed connection: the next message Redis pushes, or nothing when none arrives before `deadline`
  // or when `wake_fd` (if >= 0) becomes readable. Throws sio::connection_error when the connection breaks.
  std::optional<redis_reply> read_push(std::chrono::steady_clock::time_point deadline, int wake_fd = -1);

  // A connection that failed with an I/O error cannot be used again.
  bool broken() const noexcept;
  // The stream (non-blocking), for a caller that takes over the I/O after the handshake (redis_pipeline); it
  // stays owned by this connection. No reply may be pending on it.
  byte_stream& stream() noexcept { return *stream_; }
  const byte_stream& stream() const noexcept { return *stream_; }
  const redis_endpoint& endpoint() const noexcept { return endpoint_; }

 private:
  using clock = std::chrono::steady_clock;
  struct reader_deleter {
    void operator()(redisReader* reader) const noexcept;
  };

  void write_all(std::string_view bytes, std::string_view doing);
  redis_reply read_reply(std::string_view doing);
  // The next complete reply already read and parsed, if any.
  std::optional<redis_reply> take_parsed_reply(std::string_view doing);
  // One read from the stream into the parser. False when the stream has nothing now (the wanted readiness is in
  // `wants`: POLLIN or POLLOUT).
  bool read_into_parser(std::string_view doing, short& wants);
  // Waits for `events` on the socket until `deadline`; false when the deadline passed first or `wake_fd` (if >= 0)
  // became readable.
  bool wait_until(short events, clock::time_point deadline, std::string_view doing, int wake_fd = -1);
  void check_usable() const;
  [[noreturn]] void fail(const io_result& result, std::string_view doing);
  [[noreturn]] void fail_timeout(std::string_view doing);

  redis_endpoint endpoint_;
  std::chrono::milliseconds command_timeout_;
  std::unique_ptr<byte_stream> stream_;
  std::unique_ptr<redisReader, reader_deleter> reader_;
  std::string broken_reason_;  // set once an I/O error broke the connection
  bool broken_ = false;
  bool desynced_ = false;  // a pipeline stopped part-way: replies and commands no longer line up
};

// Throws for an error reply: sio::auth_error for NOAUTH, WRONGPASS and NOPERM (ACL), else sio::reply_error.
// `context` says what was being done ("PUBLISH socket.io#/#"); `acl_user`, when known, names the ACL user.
void throw_if_error(const redis_reply& reply, std::string_view context, std::string_view acl_user = {});

// "<context> failed: <error reply>", and the fix where Redis' own text does not say it: for NOAUTH that the server
// needs a password and where it goes (the URL); for an ACL refusal (NOPERM) which permission `acl_user` lacks and how
// to grant it, since Redis' text names neither the user nor, for channels, the pattern.
std::string error_reply_message(std::string_view context, std::string_view text, std::string_view acl_user);

// The ACL user a connection to `endpoint` authenticates as.
std::string acl_user_of(const redis_endpoint& endpoint);

// hiredis' reply as a value. Throws sio::redis_error(errc::protocol) for a reply type it does not know.
redis_reply to_redis_reply(const redisReply& reply);

// The code of an error reply's text: errc::auth for NOAUTH, WRONGPASS and NOPERM (ACL), else errc::reply.
errc classify_error_reply(std::string_view text) noexcept;

// Throws the sio::redis_error subclass of `code` (connection_error, auth_error, ...).
[[noreturn]] void throw_redis_error(errc code, const std::string& message);

}  // namespace sio::detail
