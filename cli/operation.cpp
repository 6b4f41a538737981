#include "operation.hpp"

#include <chrono>
#include <stdexcept>
#include <utility>

#include <msgpack.hpp>

namespace notify {
namespace {

sio::Options emitter_options(const cli_options& o) {
  sio::Options options;
  options.redis_url = o.redis_url;
  options.key = o.key;
  options.mode = o.mode;
  options.subscription = o.subscription;
  options.stream_name = o.stream_name;
  options.stream_count = o.stream_count;
  options.stream_max_len = o.stream_max_len;
  options.connect_timeout = o.timeout;
  options.command_timeout = o.timeout;
  options.request_timeout = o.timeout;  // one --timeout bounds every wait, the servers' answers included
  options.dry_run = o.dry_run;
  options.tls = o.tls;
  options.tls.verify_peer = !o.tls_insecure;
  // notify reports each failure where it happens (--stdin: per line) and retries only when asked (--retry):
  // a short-lived process must not sit on a buffer waiting for Redis to return.
  options.max_buffered_messages = 0;
  return options;
}

}  // namespace

std::int64_t now_ms_since_epoch() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

sio::value make_notification(std::string_view type, const sio::value* payload, std::int64_t timestamp_ms) {
  sio::value::object_type members;
  members.reserve(3);
  members.emplace_back("type", sio::value(type));
  if (payload != nullptr) members.emplace_back("payload", *payload);
  members.emplace_back("timestamp", sio::value(timestamp_ms));
  return sio::value::object(std::move(members));
}

void write_notification(std::string& out, std::string_view type, std::string_view payload_msgpack,
                        std::int64_t timestamp_ms) {
  // make_notification's members in its order (no array-index name: JavaScript keeps that order), each in the
  // smallest msgpack form, as notepack.io writes them (msgpack-c's pack_int64 picks the same forms).
  struct sink {
    std::string& out;
    void write(const char* bytes, std::size_t size) { out.append(bytes, size); }
  } to{out};
  out.clear();
  msgpack::packer<sink> pk(to);
  const auto str = [&](std::string_view s) {
    pk.pack_str(static_cast<std::uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
  };
  pk.pack_map(3);
  str("type");
  str(type);
  str("payload");
  out.append(payload_msgpack);
  str("timestamp");
  pk.pack_int64(timestamp_ms);
}

sio::Emitter make_emitter(const cli_options& o) { return sio::Emitter(emitter_options(o)).of(o.nsp); }

const sio::BroadcastOperator& broadcast_base::of(const sio::Emitter& namespace_emitter, const operation& op) {
  if (!base_ || except_ != *op.except || volatile_flag_ != op.volatile_flag || no_compress_ != op.no_compress) {
    // volatile before compress: the flags map keeps first-set order, as in io.volatile.compress(false).
    sio::BroadcastOperator base = namespace_emitter.except(sio::rooms(*op.except));
    if (op.volatile_flag) base = base.volatile_();
    if (op.no_compress) base = base.compress(false);
    base_ = std::move(base);
    except_ = *op.except;
    volatile_flag_ = op.volatile_flag;
    no_compress_ = op.no_compress;
  }
  return *base_;
}

sio::BroadcastOperator targeted(const sio::Emitter& namespace_emitter, const operation& op, broadcast_base& base) {
  const sio::BroadcastOperator& shared = base.of(namespace_emitter, op);
  if (op.rooms.empty()) return shared;
  return shared.to(sio::rooms(op.rooms));
}

sio::BroadcastOperator targeted(const sio::Emitter& namespace_emitter, const operation& op) {
  broadcast_base base;
  return targeted(namespace_emitter, op, base);
}

std::optional<sio::Published> run_operation(const sio::Emitter& namespace_emitter, const operation& op,
                                            broadcast_base& base, sio::Completion done) {
  switch (op.cmd) {
    case command::emit: {
      const sio::BroadcastOperator target = targeted(namespace_emitter, op, base);
      if (op.msgpack_args) {
        const sio::msgpack_args args{op.msgpack, 1};
        if (!done) return target.emit_msgpack_sync(op.event, args);
        target.emit_msgpack(op.event, args, std::move(done));
        return std::nullopt;
      }
      if (!done) return target.emit_sync_args(op.event, op.args);
      target.emit_args(op.event, op.args, std::move(done));
      return std::nullopt;
    }
    case command::join:
      return targeted(namespace_emitter, op, base).socketsJoin(sio::rooms(*op.rooms_to_change));
    case command::leave:
      return targeted(namespace_emitter, op, base).socketsLeave(sio::rooms(*op.rooms_to_change));
    case command::disconnect:
      return targeted(namespace_emitter, op, base).disconnectSockets(op.close);
    case command::server_emit:
      return namespace_emitter.serverSideEmit_args(op.event, op.args);
    case command::sockets:
      break;  // a request, not a publish: presence.cpp runs it
  }
  throw std::logic_error("unhandled command");
}

}  // namespace notify
