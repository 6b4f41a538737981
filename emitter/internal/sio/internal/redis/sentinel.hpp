// Redis Sentinel (redis+sentinel:// URLs): which server is the master now, and a connection to it. Asked again
// on every (re)connect, so that a publisher follows a failover. Knows Redis, not Socket.IO.
#pragma once

#include <chrono>
#include <memory>

#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_url.hpp"

namespace sio::detail {

// Asks the sentinels of `sentinels` (a redis+sentinel:// endpoint) in turn SENTINEL GET-MASTER-ADDR-BY-NAME; the
// first address given wins. Sentinels get no AUTH (the URL's credentials are the master's) and TLS when the URL is
// rediss+sentinel://. Each gets min(connect_timeout, 1 s) to connect and answer, so one dead sentinel does not
// use up the whole budget. Throws sio::connection_error naming every sentinel asked and why it gave no address:
//   no sentinel of redis+sentinel://127.0.0.1:26379/mymaster/0 named the master "mymaster":
//   127.0.0.1:26379: unknown master name
redis_address ask_sentinels(const redis_endpoint& sentinels, std::chrono::milliseconds connect_timeout);

// A connection (AUTH, SELECT done) to the master the sentinels name, checked with ROLE: a server that says it is
// a replica (the sentinels' view lags a failover) is asked about again until `connect_timeout` has passed. Throws
// what ask_sentinels() and redis_connection throw (connect errors name the master and who named it), or
// sio::connection_error when the server named is still a replica.
std::unique_ptr<redis_connection> connect_to_master(const redis_endpoint& sentinels,
                                                    std::chrono::milliseconds connect_timeout,
                                                    std::chrono::milliseconds command_timeout);

// A connection to the server `endpoint` names or, for redis+sentinel://, to the current master.
std::unique_ptr<redis_connection> connect_to(const redis_endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                                             std::chrono::milliseconds command_timeout);

}  // namespace sio::detail
