// sio/error.hpp: the error codes and exceptions of the sio emitter.
//
// Every failure is an sio::error carrying an sio::errc. The subclasses let callers catch by category:
// bad input (data_error) is the caller's bug and retrying will not help; redis_error covers everything on the
// way to Redis, where a retry may. Bad input is always detected before anything is published.
#pragma once

#include <stdexcept>
#include <string>

#include "sio/export.hpp"

namespace sio {

enum class errc : int {
  ok = 0,
  // Bad input: nothing was published.
  invalid_argument = 1,  // empty event name, empty room, bad option value
  invalid_json = 2,      // JSON text that does not parse (the message names line and column)
  invalid_utf8 = 3,      // a string that is not valid UTF-8
  reserved_event = 4,    // an event name Socket.IO reserves (connect, disconnect, ...)
  invalid_url = 5,       // a Redis URL that does not parse
  // Redis: the command may or may not have reached Redis.
  connection = 10,       // cannot connect, or the connection broke
  auth = 11,             // AUTH refused (wrong password, unknown user) or ACL denies the command
  timeout = 12,          // connect or command timeout
  reply = 13,            // Redis answered with an error reply (other than auth/ACL)
  protocol = 14,         // Redis answered something unexpected
  tls = 15,              // TLS failed: certificate refused, bad CA/certificate/key file, handshake failed
};

// A short, stable, human-readable name for a code ("invalid JSON", "Redis unreachable", ...).
SIO_API const char* to_string(errc code) noexcept;

class SIO_API error : public std::runtime_error {
 public:
  error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  errc code() const noexcept { return code_; }

 private:
  errc code_;
};

// The call's input was invalid; nothing was published.
class SIO_API data_error : public error {
 public:
  using error::error;
};

// Talking to Redis failed.
class SIO_API redis_error : public error {
 public:
  using error::error;
};

class SIO_API connection_error : public redis_error {
 public:
  explicit connection_error(const std::string& message) : redis_error(errc::connection, message) {}
};

class SIO_API auth_error : public redis_error {
 public:
  explicit auth_error(const std::string& message) : redis_error(errc::auth, message) {}
};

class SIO_API timeout_error : public redis_error {
 public:
  explicit timeout_error(const std::string& message) : redis_error(errc::timeout, message) {}
};

class SIO_API reply_error : public redis_error {
 public:
  explicit reply_error(const std::string& message) : redis_error(errc::reply, message) {}
};

// TLS to Redis failed: the server's certificate was refused (untrusted, expired, another name), a CA,
// certificate or key file could not be loaded, or the server refused the handshake (e.g. no client certificate).
// Retrying will not help until the configuration changes.
class SIO_API tls_error : public redis_error {
 public:
  explicit tls_error(const std::string& message) : redis_error(errc::tls, message) {}
};

}  // namespace sio
