// The classic Redis adapter encoding of @socket.io/redis-emitter 5.1.0: broadcasts as a notepack msgpack
// array on <key>#<nsp>#[<room>#], server-side requests as JSON on <key>-request#<nsp>#.
#pragma once

#include <string_view>

#include "sio/internal/protocol/operation.hpp"

namespace sio::detail {

// The uid the Node emitter puts in every message; receivers only need it to differ from their own.
inline constexpr std::string_view emitter_uid = "emitter";

// Encodes a validated operation. Throws sio::data_error for argument values that cannot be encoded
// (invalid UTF-8); nothing has been published then.
command encode_classic(const operation& op, std::string_view key);
// The same into `out`, reusing its buffers: once they have grown to a typical message's size, encoding allocates
// nothing (the publish hot path keeps one `command` per thread).
void encode_classic(const operation& op, std::string_view key, command& out);

}  // namespace sio::detail
