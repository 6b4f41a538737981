// socket.io-adapter's ClusterMessage types (cluster-adapter.js MessageType), which the sharded and streams adapters
// share: the publisher side of them.
#pragma once

#include <string>

#include "sio/internal/protocol/adapter_types.hpp"
#include "sio/internal/protocol/operation.hpp"
#include "sio/internal/protocol/packet_data.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {

constexpr cluster_message_type cluster_message_type_of(operation_kind kind) noexcept {
  switch (kind) {
    case operation_kind::broadcast: return cluster_message_type::broadcast;
    case operation_kind::sockets_join: return cluster_message_type::sockets_join;
    case operation_kind::sockets_leave: return cluster_message_type::sockets_leave;
    case operation_kind::disconnect_sockets: return cluster_message_type::disconnect_sockets;
    case operation_kind::server_side_emit: return cluster_message_type::server_side_emit;
  }
  return cluster_message_type::broadcast;
}

// The adapters encode with msgpack only when a message that may carry binary (a broadcast or a server-side emit,
// for a publisher) does: their encode().
inline bool cluster_message_needs_msgpack(const operation& op) {
  return (op.kind == operation_kind::broadcast || op.kind == operation_kind::server_side_emit) && has_binary(op.args);
}

// encodeOptions() {rooms, except, flags}: the sharded adapter sends the operator's flags; the streams emitter
// sends {} in socket management messages (receivers ignore flags there).
enum class opts_flags { of_target, empty };
void write_json_opts(std::string& out, const target& to, opts_flags flags);

// The data of every message a publisher sends but broadcasts, the same for both adapters: socketsJoin/Leave
// {opts, rooms}, disconnectSockets {opts, close}, serverSideEmit {packet: [event, ...args]}.
void write_json_other_data(std::string& out, const operation& op, opts_flags flags);
// serverSideEmit's data {packet: [event, ...args]} in msgpack (binary arguments).
void write_server_side_emit_data(notepack_writer& w, const operation& op);

}  // namespace sio::detail
