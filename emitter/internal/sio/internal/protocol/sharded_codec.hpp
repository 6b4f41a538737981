// The sharded Redis adapter's encoding (createShardedAdapter, @socket.io/redis-adapter 8.3, PROTOCOL.md §4): a
// socket.io-adapter ClusterMessage, JSON or (with binary data) notepack msgpack, SPUBLISHed on the channel the
// adapter's own publisher would choose.
#pragma once

#include <string_view>

#include "sio/internal/protocol/channels.hpp"  // subscription_mode
#include "sio/internal/protocol/operation.hpp"

namespace sio::detail {

// The channel the adapter's computeChannel picks: <prefix>#<nsp>#<room># for a broadcast to exactly one room
// when `mode` subscribes that room's channel (dynamic: unless it looks like a socket id, 20 UTF-16 units long),
// else the main channel <prefix>#<nsp>#, which every server subscribes.
void sharded_channel(std::string& out, const operation& op, std::string_view prefix, subscription_mode mode);

// Encodes a validated operation as the message the adapter itself publishes for the same call: {type, data, uid,
// nsp} with its key order. `uid` must differ from every server's (servers skip their own messages). Throws
// sio::data_error for argument values that cannot be encoded (invalid UTF-8); nothing has been published then.
void encode_sharded(const operation& op, std::string_view prefix, subscription_mode mode, std::string_view uid,
                    command& out);
command encode_sharded(const operation& op, std::string_view prefix, subscription_mode mode, std::string_view uid);

}  // namespace sio::detail
