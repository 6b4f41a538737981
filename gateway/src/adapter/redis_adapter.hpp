// The gateway's side of the Socket.IO Redis adapters: classic (@socket.io/redis-adapter createAdapter: PSUBSCRIBE
// <key>#<nsp>#*, the request channel; PROTOCOL.md §3, §8), sharded (createShardedAdapter: SSUBSCRIBE as a Node server
// in its subscription mode; §4) and streams (@socket.io/redis-streams-adapter: XREAD, ephemeral requests, connection
// state recovery; §5, §8.7), on one Redis, through Sentinel or on a Redis Cluster. Filtered and applied as the Node
// adapters do; Redis I/O runs on its own threads and every effect on sockets is posted to the I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "sio/options.hpp"
#include "socketio/server.hpp"

namespace sio::gateway::adapter {

struct adapter_options {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string key = "socket.io";  // createAdapter's `key`; createShardedAdapter's `channelPrefix`
  // The adapter the fleet runs and, sharded, its subscriptionMode: the channels this gateway SSUBSCRIBEs are those a
  // Node server in that mode would (PROTOCOL.md §4.1). Streams: the namespaces' streams are read with XREAD from
  // the entry that was last when the gateway started, and <key>#<nsp># and <key>#<nsp>#<uid># SUBSCRIBEd (the
  // ephemeral requests; Node servers count the subscribers of the first as servers).
  sio::Options::adapter_mode mode = sio::Options::adapter_mode::classic;
  sio::Options::subscription_mode subscription = sio::Options::subscription_mode::dynamic;
  std::string stream_name = "socket.io";  // streams: streamName, streamCount
  std::size_t stream_count = 1;
  // streams: connection state recovery (socketio::server::enable_recovery), sessions under
  // <session_key_prefix><pid> for max_disconnection_duration, as the streams adapter's persistSession.
  bool recovery = false;
  std::string session_key_prefix = "sio:session:";
  std::chrono::milliseconds max_disconnection_duration{120000};
  std::chrono::milliseconds connect_timeout{5000};
  // TLS for rediss:// (or redis:// with tls.enabled), as the emitter's Options::tls: CA, client certificate, name.
  sio::TlsOptions tls{};
  // Subscribe <key>-request#<nsp># and answer every request as a Node server does (0, 1, 2, 3, 4, 5, 6, 7). When
  // false the gateway is not counted as a server by Node peers (PUBSUB NUMSUB) and ignores requests: emitters'
  // socketsJoin/Leave/disconnectSockets/serverSideEmit then do not reach its sockets.
  bool serve_requests = true;
  // Redis reconnect backoff: sio/backoff.hpp with reconnect_min as its base and reconnect_max as its cap.
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  // Told of each problem the adapter survives (Redis lost, reconnect failed, a response not published): `what` says
  // which, `error` why. Called from the adapter's threads; may be empty (then stderr). Responses not published are
  // told one per 10 s: the others in between are counted in the next one told (or in one more at stop()).
  std::function<void(std::string_view what, std::string_view error)> on_problem;
  // Told of each malformed message (one a Node adapter would reject or throw on; dropped, and counted in
  // adapter_stats::malformed_messages): the Redis channel it arrived on, why, and its size. Not the payload: it may
  // be large or hold user data. Messages that are only ignored (own uid, another namespace, a room without local
  // sockets) are not malformed. Anyone who can publish on Redis decides how often this is called, from the adapter's
  // threads: rate-limit what it writes. May be empty (then they are only counted).
  std::function<void(std::string_view channel, std::string_view reason, std::size_t bytes)> on_malformed;
};

// One Redis server the adapter is subscribed or reading on (a cluster: one per master used).
struct node_state {
  std::string node;          // host:port
  std::size_t channels = 0;  // channels and patterns subscribed there
  std::size_t streams = 0;   // streams read there (connected readers)
  friend bool operator==(const node_state&, const node_state&) = default;
};

struct adapter_stats {
  bool redis_connected = false;
  const char* mode = "classic";           // "classic", "sharded" (createShardedAdapter's channels) or "streams"
  std::size_t channels = 0;               // channels and patterns subscribed (sharded: rooms' channels included)
  std::size_t streams = 0;                // streams: the streams read, and of those, the readers connected now
  std::size_t streams_connected = 0;
  std::uint64_t stream_entries = 0;       // streams: entries read
  std::uint64_t sessions_stored = 0;      // recovery: sessions persisted, and restores that found theirs / did not
  std::uint64_t sessions_restored = 0;
  std::uint64_t sessions_not_found = 0;
  std::vector<node_state> nodes;          // by node name
  std::uint64_t broadcasts_received = 0;  // broadcast messages applied
  std::uint64_t broadcasts_ignored = 0;   // filtered out (own uid, other namespace, unknown room)
  std::uint64_t requests_received = 0;
  std::uint64_t malformed_messages = 0;
  std::uint64_t deliveries = 0;           // packets written to sockets by broadcasts
  std::uint64_t reconnects = 0;
};

class redis_adapter {
 public:
  redis_adapter(boost::asio::io_context& io, adapter_options options, socketio::server& sockets);
  ~redis_adapter();  // stops the Redis thread (joins it)
  redis_adapter(const redis_adapter&) = delete;
  redis_adapter& operator=(const redis_adapter&) = delete;

  // Connects and subscribes (the namespaces of sockets.namespaces()); returns once subscribed, throws
  // sio::redis_error (connection_error, auth_error, timeout_error) if the first attempt fails. Reconnects itself
  // afterwards.
  void start();
  // Unsubscribes and closes the Redis connections.
  void stop();

  adapter_stats stats() const;  // thread-safe
  std::string uid() const;      // this server's 6-character uid

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sio::gateway::adapter
