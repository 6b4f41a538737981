// The pieces every codec writes the same way: a Socket.IO EVENT packet and its data array, room lists, flags.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sio/internal/protocol/adapter_types.hpp"  // packet_type_event
#include "sio/internal/protocol/operation.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace sio::detail {


// JSON [event, ...args], as JSON.stringify writes a packet's data (never of op.encoded: see operation.hpp).
void write_json_event_data(std::string& out, std::string_view event, std::span<const sio::value> args);
// msgpack [event, ...args]: op.encoded's bytes as they are when the caller encoded the arguments.
void write_event_data(notepack_writer& w, const operation& op);

// JSON ["a","b"]; the names were checked by validate().
void write_json_names(std::string& out, std::span<const std::string> names);
// msgpack ["a","b"]; the names were checked by validate(), so not checked again.
void write_names(notepack_writer& w, std::span<const std::string> names);

// {type: 2, data: [event, ...args]}, and "nsp" last when `with_nsp` (a server's own packets have none).
void write_event_packet(notepack_writer& w, const operation& op, bool with_nsp);

// The broadcast flags in the order they were first set: JSON {"volatile":true,...}, or the msgpack members alone
// (the caller writes the map header, since request_codec adds "timeout").
void write_json_flags(std::string& out, const target& to);
void write_flag_members(notepack_writer& w, const target& to);

// Whether a Buffer is anywhere in the arguments: the adapters' hasBinary(), which picks msgpack over JSON.
bool has_binary(std::span<const sio::value> values);

}  // namespace sio::detail
