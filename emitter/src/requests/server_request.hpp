// A request that asks the servers and gathers their answers (PROTOCOL.md §8): on a connection of its own it
// subscribes both response channels, counts the servers (PUBSUB NUMSUB of the request channel, as Node servers
// count each other), publishes the request through the emitter's pipeline and reads answers until every server
// answered or the wait is over. It never subscribes the request channel: that would make it a server every Node
// peer counts and waits for.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "client.hpp"
#include "sio/internal/protocol/operation.hpp"
#include "sio/replies.hpp"
#include "sio/value.hpp"

namespace sio::detail {

struct request_spec {
  std::string nsp;
  command publish;          // the request, on <key>-request#<nsp>#
  std::string request_id;   // the id its answers carry
  std::chrono::milliseconds wait{};
  // Takes one answer carrying the request id; returns whether it is a server's answer (counted in `answered`)
  // rather than a further message (a client's ack).
  std::function<bool(const sio::value& body)> take;
  // Once every server answered: whether further messages are still due (acks not all in). May be empty.
  std::function<bool()> awaiting_more;
};

// Fills `out`'s ServerReplies part. Throws sio::redis_error when Redis fails; a wait that ends first only sets
// out.timed_out. In dry-run mode only out.request is set.
void run_request(client& c, const request_spec& spec, ServerReplies& out);

// Subscribers of <key>-request#<nsp>#.
std::size_t count_servers(client& c, std::string_view nsp);

}  // namespace sio::detail
