// Parses the Redis URLs sio accepts into an endpoint.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sio/options.hpp"

namespace sio::detail {

struct redis_endpoint {
  enum class transport { tcp, unix_socket };
  transport kind = transport::tcp;
  std::string host = "127.0.0.1";  // tcp: name or address (IPv6 without brackets)
  int port = 6379;
  std::string path;                // unix_socket
  std::optional<std::string> username;
  std::optional<std::string> password;
  int db = 0;
  TlsOptions tls;  // enabled by rediss:// (or Options::tls.enabled); the files and names come from Options

  // "redis://host:port/db", "rediss://host:port/db" (TLS) or "unix:///path"; never includes the password.
  std::string describe() const;
};

// redis://[user[:password]@]host[:port][/db], rediss://... (the same, over TLS), unix:///path/to.sock[?db=N]. Percent-escapes in user and password
// are decoded. Throws sio::data_error(errc::invalid_url) with a message that names the fault and never echoes
// the password.
redis_endpoint parse_redis_url(std::string_view url);

// Completes the endpoint's TLS settings from the public options: rediss:// turns TLS on, and so does
// tls.enabled for redis://; the files and names are copied. Throws sio::data_error(errc::invalid_argument) for TLS
// over a unix socket and for a client certificate without its key.
void apply_tls_options(const TlsOptions& tls, redis_endpoint& endpoint);

// The URL with any password replaced by "***", for messages and logs.
std::string redact_redis_url(std::string_view url);

}  // namespace sio::detail
