// One synchronous hiredis connection: connect, AUTH, SELECT, then pipelined commands with timeouts.
// It knows Redis, not Socket.IO. Not thread-safe: the owner serialises calls.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_url.hpp"
#include "sio/error.hpp"

struct redisContext;
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
  // Connects, authenticates (AUTH [user] password) and selects the db. Throws sio::connection_error,
  // sio::timeout_error or sio::auth_error with a message naming the endpoint (never the password).
  redis_connection(const redis_endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                   std::chrono::milliseconds command_timeout);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Writes all commands at once, then reads one reply for each, in order. Error replies are returned, not
  // thrown. I/O failures throw sio::connection_error or sio::timeout_error and leave the connection broken().
  std::vector<redis_reply> pipeline(std::span<const redis_command> commands);

  // For a subscribed connection: the next message Redis pushes, or nothing when none arrives before `deadline`.
  // Throws sio::connection_error when the connection breaks.
  std::optional<redis_reply> read_push(std::chrono::steady_clock::time_point deadline);

  // A connection that failed with an I/O error cannot be used again.
  bool broken() const noexcept;
  // The socket, for a caller that takes over the I/O after the handshake (redis_pipeline).
  int fd() const noexcept;
  const redis_endpoint& endpoint() const noexcept { return endpoint_; }

 private:
  [[noreturn]] void throw_io_error(std::string_view doing, int saved_errno) const;

  redis_endpoint endpoint_;
  std::chrono::milliseconds command_timeout_;
  redisContext* ctx_ = nullptr;
  bool desynced_ = false;  // a pipeline stopped part-way: replies and commands no longer line up
};

// Throws for an error reply: sio::auth_error for NOAUTH, WRONGPASS and NOPERM (ACL), else sio::reply_error.
// `context` says what was being done ("PUBLISH socket.io#/#"); `acl_user`, when known, names the ACL user.
void throw_if_error(const redis_reply& reply, std::string_view context, std::string_view acl_user = {});

// "<context> failed: <error reply>", and for an ACL refusal (NOPERM) which permission `acl_user` lacks and how
// to grant it, since Redis' own text names neither the user nor, for channels, the pattern.
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
