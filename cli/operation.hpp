// operation.hpp: one operation of notify, resolved (operation_resolver.hpp: from the flags, and for --stdin a line
// overriding them), and the one call on sio::Emitter that runs it. A one-shot run is a batch of one operation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "sio/emitter.hpp"

namespace notify {

// What one operation asks for, fully resolved. A batch reuses one from line to line (vectors keep their
// capacity); the views point into the command line's options or into the resolver's last line.
struct operation {
  command cmd = command::emit;
  std::string_view nsp;
  std::optional<std::string_view> user;  // the user id (--user, "user") whose room leads `rooms`
  std::vector<std::string> rooms;        // to(): the user's room first, then --room/"room"
  const std::vector<std::string>* except = nullptr;
  bool volatile_flag = false;
  bool no_compress = false;
  std::string_view event;                                     // emit, server-emit
  std::vector<sio::value> args;                               // emit, server-emit
  // emit: the arguments as msgpack instead of `args` (one notification whose payload the resolver transcoded from
  // the line's JSON without building values: operation_resolver.cpp), when `msgpack_args` is set.
  bool msgpack_args = false;
  std::string msgpack;
  const std::vector<std::string>* rooms_to_change = nullptr;  // join, leave
  bool close = false;                                         // disconnect
};

// The seed's notification object: {"type":T,"payload":<payload, omitted if nullptr>,"timestamp":MS}.
sio::value make_notification(std::string_view type, const sio::value* payload, std::int64_t timestamp_ms);
// The same object as msgpack, its payload given as msgpack: the bytes make_notification's value is encoded as.
// (emit_msgpack checks `type`'s UTF-8, as encoding the value does.)
void write_notification(std::string& out, std::string_view type, std::string_view payload_msgpack,
                        std::int64_t timestamp_ms);

// Milliseconds since the Unix epoch: the default timestamp of a notification.
std::int64_t now_ms_since_epoch();

// The emitter of --nsp with the connection options (nothing connects before the first publish).
sio::Emitter make_emitter(const cli_options& options);

// io.of(nsp).except(...).volatile.compress(false): the part of an operation's target that a batch's lines
// usually share, kept from one operation to the next while they do.
class broadcast_base {
 public:
  const sio::BroadcastOperator& of(const sio::Emitter& namespace_emitter, const operation& op);

 private:
  std::optional<sio::BroadcastOperator> base_;
  std::vector<std::string> except_;
  bool volatile_flag_ = false;
  bool no_compress_ = false;
};

// The sockets `op` addresses on its namespace's emitter, as io.to(...).except(...) with the emit flags.
sio::BroadcastOperator targeted(const sio::Emitter& namespace_emitter, const operation& op, broadcast_base& base);
sio::BroadcastOperator targeted(const sio::Emitter& namespace_emitter, const operation& op);

// The call on sio::Emitter that `op` asks for, on its namespace's emitter: validates, encodes and (unless
// dry-run) publishes. Waits for Redis' reply and returns what was published; except that an emit given a
// completion `done` is only queued (pipelined: its outcome goes to `done`), and nothing is returned. Throws
// sio::error subclasses. Not for `sockets`, a request (presence.hpp).
std::optional<sio::Published> run_operation(const sio::Emitter& namespace_emitter, const operation& op,
                                            broadcast_base& base, sio::Completion done = {});

}  // namespace notify
