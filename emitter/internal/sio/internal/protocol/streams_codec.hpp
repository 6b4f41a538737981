// The streams adapter's encoding (@socket.io/redis-streams-adapter 0.3, PROTOCOL.md §5): one XADD entry per
// message, with the fields the official streams emitter writes (uid "emitter", nsp, type, data), so receivers
// deliver it and replay it to clients recovering their connection state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/protocol/channels.hpp"  // stream_settings, stream_name_for
#include "sio/internal/protocol/operation.hpp"

namespace sio::detail {

// The data field: JSON.stringify(data), or base64(@msgpack/msgpack(data)) when an argument is binary.
std::string encode_stream_data(const operation& op);

// XADD <stream> MAXLEN ~ <maxLen> * uid emitter nsp <nsp> type <n> data <data>: the stream as the command's
// channel, the data field as its payload, the rest between. Throws sio::data_error for argument values that cannot
// be encoded (invalid UTF-8).
void encode_streams(const operation& op, const stream_settings& settings, command& out);
command encode_streams(const operation& op, const stream_settings& settings);

}  // namespace sio::detail
