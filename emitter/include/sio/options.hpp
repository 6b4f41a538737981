// sio/options.hpp: how an Emitter reaches Redis and which channels it publishes on.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace sio {

// TLS to Redis (rediss://). The server's certificate is verified by default: its chain must lead to a trusted CA
// and it must name the URL's host (or server_name); a failure is an sio::tls_error.
struct TlsOptions {
  bool enabled = false;        // use TLS with a redis:// URL too (rediss:// always does)
  std::string ca_file{};       // trusted CA certificates (PEM); with ca_dir also empty, the system's default store
  std::string ca_dir{};        // a directory of CA certificates prepared with `openssl rehash`
  std::string cert_file{};     // client certificate (PEM), for servers with tls-auth-clients; needs key_file
  std::string key_file{};      // the client certificate's private key (PEM)
  std::string server_name{};   // the name to verify and to send as SNI, when it differs from the URL's host
  bool verify_peer = true;     // false accepts any certificate: for tests, never in production
};

struct Options {
  // redis://[user[:password]@]host[:port][/db], rediss://... (TLS, see `tls`) or unix:///path/to/redis.sock[?db=N].
  // Percent-escapes are decoded in the user and password. Host may be a name, an IPv4 address or a bracketed IPv6
  // address. redis+sentinel://host[:port][,host[:port]...]/master-name[/db] (rediss+sentinel:// over TLS): the master
  // Redis Sentinel names, asked again on every reconnect (README: Sentinel).
  // redis+cluster://host:port[,host:port...] (rediss+cluster:// over TLS): seed nodes of a Redis Cluster; each
  // command goes to the master of its key's slot, following MOVED and ASK (README: Redis Cluster).
  std::string redis_url = "redis://127.0.0.1:6379";

  // The channel prefix; must equal the `key` option of the servers' createAdapter() (the `channelPrefix` of
  // createShardedAdapter and of the streams adapter).
  std::string key = "socket.io";

  // Which Redis adapter the Socket.IO servers run (README: "Which mode"):
  enum class adapter_mode {
    classic,  // createAdapter (@socket.io/redis-adapter): PUBLISH, as @socket.io/redis-emitter does
    sharded,  // createShardedAdapter (Redis 7 sharded pub/sub): SPUBLISH of the adapter's ClusterMessage
    streams,  // @socket.io/redis-streams-adapter: XADD, durable; clients recover missed notifications
  };
  adapter_mode mode = adapter_mode::classic;
  // Sharded: the servers' subscriptionMode. It decides whether a broadcast to one room may use that room's channel
  // (dynamic, dynamic_private) or must use the namespace's (static_); when unsure, static_ is always delivered.
  enum class subscription_mode { dynamic, static_, dynamic_private };
  subscription_mode subscription = subscription_mode::dynamic;
  // Streams: the servers' streamName, streamCount and maxLen (each XADD trims the stream to about that many).
  std::string stream_name = "socket.io";
  std::size_t stream_count = 1;
  std::size_t stream_max_len = 10000;

  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{5000};
  // How long a request that asks the servers (emit_confirmed, fetchSockets, ...) waits for their answers; the
  // Node adapter's requestsTimeout default.
  std::chrono::milliseconds request_timeout{5000};

  // Override the credentials in redis_url (for secrets kept out of URLs). A password without a username
  // authenticates as the default user.
  std::optional<std::string> username{};
  std::optional<std::string> password{};

  // Certificates and names for rediss:// (or TLS over redis:// with tls.enabled).
  TlsOptions tls{};

  // While Redis is unreachable, emit() (the queued form) keeps up to these many messages and bytes and the emitter
  // reconnects in the background, with exponential backoff and full jitter (a random delay up to
  // min(max_reconnect_delay, reconnect_delay * 2^attempt), so that many processes do not all come back at once).
  // Once connected again the buffered messages go out in order. Publishes that were already sent when the
  // connection broke may or may not have reached Redis: they are reported failed, never sent twice. Waiting calls
  // (emit_sync, socketsJoin, requests, ...) do not buffer: they connect themselves or throw. 0 messages: no
  // buffering, emit() throws sio::connection_error while Redis is unreachable.
  std::size_t max_buffered_messages = 100000;
  std::size_t max_buffered_bytes = 64u << 20;
  enum class overflow_policy {
    fail_new,     // emit() throws sio::connection_error and the message is not kept
    drop_oldest,  // the oldest buffered message is dropped and reported failed (its Completion, or flush())
  };
  overflow_policy overflow = overflow_policy::fail_new;
  std::chrono::milliseconds reconnect_delay{100};
  std::chrono::milliseconds max_reconnect_delay{5000};

  // Encode and validate every call but never connect: results carry the channel and payload, no receivers.
  bool dry_run = false;
};

}  // namespace sio
