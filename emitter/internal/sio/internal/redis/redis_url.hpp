// Parses the Redis URLs sio accepts into an endpoint.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/options.hpp"

namespace sio::detail {

struct redis_address {
  std::string host;  // name or address (IPv6 without brackets)
  int port = 0;
  std::string text() const;  // host:port, an IPv6 address in brackets
  friend bool operator==(const redis_address&, const redis_address&) = default;
};

struct redis_endpoint {
  enum class transport { tcp, unix_socket };
  transport kind = transport::tcp;
  // One server; a Redis Cluster reached through seed nodes (redis+cluster://); or a master found through
  // Sentinel (redis+sentinel://).
  enum class deployment { standalone, cluster, sentinel };
  deployment topology = deployment::standalone;
  // cluster: the seed nodes; sentinel: the sentinels. host and port are the first of them.
  std::vector<redis_address> nodes;
  std::string master_name;  // sentinel: the monitored master's name
  std::string host = "127.0.0.1";  // tcp: name or address (IPv6 without brackets)
  int port = 6379;
  std::string path;                // unix_socket
  std::optional<std::string> username;
  std::optional<std::string> password;
  int db = 0;
  TlsOptions tls;  // enabled by rediss:// (or Options::tls.enabled); the files and names come from Options

  // "redis://host:port/db", "rediss://host:port/db" (TLS) or "unix:///path"; never includes the password.
  // redis+cluster://h1:p1,h2:p2 and redis+sentinel://h1:p1,h2:p2/name/db list every node.
  std::string describe() const;
  // This endpoint with one server in place of the seeds or sentinels: a cluster node or the current master.
  redis_endpoint at(const redis_address& address) const;
};

// redis://[user[:password]@]host[:port][/db], rediss://... (the same, over TLS), unix:///path/to.sock[?db=N],
// redis+cluster://[user[:password]@]host[:port][,host[:port]...] (seed nodes of a Redis Cluster; db 0 only),
// redis+sentinel://[user[:password]@]host[:port][,host[:port]...]/master-name[/db] (sentinels, port 26379 by
// default; the credentials are the master's), and rediss+cluster:// / rediss+sentinel:// over TLS. Percent-escapes in
// user and password are decoded. Throws sio::data_error(errc::invalid_url) with a message that names the fault and never echoes
// the password.
redis_endpoint parse_redis_url(std::string_view url);

// Completes the endpoint's TLS settings from the public options: rediss:// turns TLS on, and so does
// tls.enabled for redis://; the files and names are copied. Throws sio::data_error(errc::invalid_argument) for TLS
// over a unix socket and for a client certificate without its key.
void apply_tls_options(const TlsOptions& tls, redis_endpoint& endpoint);

// The URL with any password replaced by "***", for messages and logs.
std::string redact_redis_url(std::string_view url);

}  // namespace sio::detail
