// sio/replies.hpp: what a call published, and what the Socket.IO servers answered to a request that asks them
// (delivery confirmation, presence, server-side acknowledgements: PROTOCOL.md §8).
//
// A request is published on <key>-request#<nsp>#; every server of the namespace answers on a response channel.
// The emitter expects one answer per subscriber of the request channel (PUBSUB NUMSUB, as Node servers count each
// other) and waits until all came or the timeout passed. A timeout is not an error: the result then holds what
// arrived, `timed_out` is set, and `answered` < `servers` says how partial it is.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sio/value.hpp"

namespace sio {

// What one call published.
struct Published {
  std::string command;  // "PUBLISH"; "SPUBLISH" in sharded mode, "XADD" in streams mode
  std::string channel;  // e.g. "socket.io#/#user:42#"; the stream's key in streams mode
  std::string payload;  // the exact bytes published (msgpack for broadcasts, JSON for server-side requests; the
                        // ClusterMessage in sharded mode; the entry's data field in streams mode)
  // Subscriptions that received it (Redis' PUBLISH reply); empty in dry-run mode. With the classic adapter every
  // server of the namespace counts once, whether or not the target room has sockets there: 0 means no server
  // listens on this key and namespace. Sharded mode: the servers subscribed to that shard channel. Streams mode:
  // empty too (the servers read the stream), and `offset` is set. Classic mode on a Redis Cluster: empty (PUBLISH
  // reaches every node, but its reply counts the subscribers of the node it was sent to only).
  std::optional<long long> receivers;
  // Streams mode: the entry's id (e.g. "1700000000000-0"), the offset clients recover from; empty otherwise.
  std::string offset;
};

// The part every request's result shares.
struct ServerReplies {
  Published request;         // the request as published (dry-run: what would be; its ids are placeholders)
  std::size_t servers = 0;   // answers expected: servers subscribed to the request channel when it was published
  std::size_t answered = 0;  // servers whose answer arrived in time (a server that joined meanwhile may add one)
  bool timed_out = false;    // the timeout came first: what follows is partial
};

// emit_confirmed() / emitWithAck(): how many sockets the event was written to.
struct Delivery : ServerReplies {
  std::size_t clients = 0;  // sockets the event was written to, summed over the servers that answered
  // emitWithAck() only: the first argument of each client's acknowledgement, in arrival order. Complete when it
  // holds `clients` values and nothing timed out.
  std::vector<value> acks;
};

// One socket as its server describes it (fetchSockets).
struct RemoteSocket {
  std::string id;                  // the Socket.IO socket id (also a room of its own)
  std::vector<std::string> rooms;  // the rooms it is in, its own id included
  value handshake;                 // {headers, time, address, xdomain, secure, issued, url, query, auth}
  value data;                      // socket.data on its server
};

struct SocketList : ServerReplies {
  std::vector<RemoteSocket> sockets;
};

struct SocketIds : ServerReplies {
  std::vector<std::string> ids;
};

// serverSideEmitWithAck(): the one value each answering server's listener acknowledged with (undefined when a
// server answered without one).
struct ServerAcks : ServerReplies {
  std::vector<value> responses;
};

}  // namespace sio
