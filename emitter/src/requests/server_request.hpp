// A request that asks the servers and gathers their answers (PROTOCOL.md §8): on a connection of its own it
// subscribes the response channels, counts the servers as they count each other, publishes the request through
// the emitter's pipeline and reads answers until every server answered or the wait is over.
//   classic: SUBSCRIBE <key>-response#<nsp># and <key>-response#<nsp>#<uid>#, PUBSUB NUMSUB <key>-request#<nsp>#
//   sharded: SSUBSCRIBE <prefix>#<nsp>#<uid>#, PUBSUB SHARDNUMSUB <prefix>#<nsp># (§8.6)
//   streams: SUBSCRIBE <prefix>#<nsp>#emitter#, PUBSUB NUMSUB <prefix>#<nsp># (§8.7)
// It never subscribes the channel the requests go to: that would make it a server every Node peer counts and
// waits for.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "client.hpp"
#include "sio/internal/protocol/operation.hpp"
#include "sio/internal/protocol/request_codec.hpp"
#include "sio/replies.hpp"
#include "sio/value.hpp"

namespace sio::detail {

struct request_spec {
  std::string nsp;
  command publish;          // the request: classic on <key>-request#<nsp>#, sharded on <prefix>#<nsp>#
  std::string request_id;   // the id its answers carry
  std::chrono::milliseconds wait{};
  // Takes one answer carrying the request id; returns whether it is a server's answer (counted in `answered`)
  // rather than a further message (a client's ack).
  std::function<bool(const answer&)> take;
  // Once every server answered: whether further messages are still due (acks not all in). May be empty.
  std::function<bool()> awaiting_more;
};

// Fills `out`'s ServerReplies part. Throws sio::redis_error when Redis fails; a wait that ends first only sets
// out.timed_out. In dry-run mode only out.request is set.
void run_request(client& c, const request_spec& spec, ServerReplies& out);

// The uid a request of this client carries (its answers come on a channel named after it): the client's own, but
// "emitter" with the streams adapter (server_request.cpp says why); request ids stay unique per client.
std::string_view requester_uid(const client& c);

// The servers of the namespace, as they count each other: subscribers of <key>-request#<nsp># (classic), of the
// shard channel <prefix>#<nsp># (sharded), of <prefix>#<nsp># (streams).
std::size_t count_servers(client& c, std::string_view nsp);

}  // namespace sio::detail
