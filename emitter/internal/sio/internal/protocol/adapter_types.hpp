// The adapters' type numbers, once for both directions (PROTOCOL.md §2, §4, §8): what the emitter's encoders write
// and the gateway's decoders read.
#pragma once

#include <cstdint>

namespace sio::detail {

// Socket.IO packet type EVENT. Always 2, even with binary arguments: the receiving server's parser turns it
// into BINARY_EVENT itself, and publishing 5 breaks every client of that server (PROTOCOL.md §1.5).
constexpr std::uint32_t packet_type_event = 2;

// The classic adapter's RequestType (@socket.io/redis-adapter): requests on <key>-request#<nsp># (0-7) and the
// typed responses to a broadcast with ack (8, 9) on the response channels.
enum class classic_request_type : int {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};
// The highest type a server receives as a request (8 and 9 only travel back as responses).
constexpr int classic_request_type_max = 7;

// socket.io-adapter's ClusterMessage MessageType (cluster-adapter.js), shared by the sharded and streams adapters.
enum class cluster_message_type : int {
  initial_heartbeat = 1,
  heartbeat = 2,
  broadcast = 3,
  sockets_join = 4,
  sockets_leave = 5,
  disconnect_sockets = 6,
  fetch_sockets = 7,
  fetch_sockets_response = 8,
  server_side_emit = 9,
  server_side_emit_response = 10,
  broadcast_client_count = 11,
  broadcast_ack = 12,
  adapter_close = 13,
};

}  // namespace sio::detail
