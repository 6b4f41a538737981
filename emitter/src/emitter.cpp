// The facade: turns calls into operations, validates and encodes them, and hands the command to the client.
#include "sio/emitter.hpp"

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "client.hpp"
#include "sio/internal/protocol/adapter_types.hpp"
#include "sio/internal/protocol/classic_codec.hpp"
#include "sio/internal/protocol/sharded_codec.hpp"
#include "sio/internal/protocol/streams_codec.hpp"
#include "sio/internal/protocol/operation.hpp"
#include "sio/internal/protocol/request_codec.hpp"
#include "sio/internal/protocol/validate.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"
#include "requests/server_request.hpp"

namespace sio {

namespace {

// The command for the adapter the servers run (Options::mode).
void encode(const detail::client& client, const detail::operation& op, detail::command& out) {
  const auto& o = client.options();
  switch (o.mode) {
    case Options::adapter_mode::classic: detail::encode_classic(op, o.key, out); return;
    case Options::adapter_mode::sharded:
      detail::encode_sharded(op, o.key, detail::subscription_mode_of(o.subscription), detail::emitter_uid, out);
      return;
    case Options::adapter_mode::streams:
      detail::encode_streams(op, {o.stream_name, o.stream_count, o.stream_max_len}, out);
      return;
  }
}

Published run(detail::client& client, const detail::operation& op) {
  detail::validate(op);
  detail::command cmd;
  encode(client, op, cmd);
  Published result;
  if (!client.options().dry_run) {
    auto reply = client.publish(cmd);
    if (!reply.offset.empty())
      result.offset = std::move(reply.offset);  // an XADD: read by the servers, not received by subscribers
    else if (reply.receivers_known)
      result.receivers = reply.receivers;
  }
  result.command = std::move(cmd.verb);
  result.channel = std::move(cmd.channel);
  result.payload = std::move(cmd.payload);
  return result;
}

// The hot path: encoded into this thread's reusable buffers (no allocation once they have grown), copied into
// the pipeline's queue, not waited for.
// Looked up once per emit (each thread_local access in a shared library is a __tls_get_addr call).
[[gnu::noinline]] detail::command& thread_scratch() {
  thread_local detail::command scratch;
  return scratch;
}

void run_async(detail::client& client, const detail::operation& op, Completion done) {
  detail::validate(op);
  detail::command& scratch = thread_scratch();
  encode(client, op, scratch);
  if (client.options().dry_run) {
    if (done) done(Outcome{});
    return;
  }
  client.publish_async(scratch, std::move(done));
}

// A count in an answer; anything else (a malformed answer) counts as 0.
std::size_t count_in(const value& v) {
  if (!v.is_number() || !(v.as_number() >= 0)) return 0;
  return static_cast<std::size_t>(v.as_number());
}

// The ClusterAdapter the servers run, if any.
std::optional<detail::cluster_adapter> cluster_of(const detail::client& client) {
  switch (client.options().mode) {
    case Options::adapter_mode::classic: return std::nullopt;
    case Options::adapter_mode::sharded: return detail::cluster_adapter::sharded;
    case Options::adapter_mode::streams: return detail::cluster_adapter::streams;
  }
  return std::nullopt;
}

std::vector<std::string> strings_in(const value& v) {
  std::vector<std::string> out;
  if (v.type() != value::kind::array) return out;
  for (const auto& e : v.as_array())
    if (e.type() == value::kind::string) out.push_back(e.as_string());
  return out;
}

// A request for `op.to`'s namespace with a fresh id; the caller sets `publish` and the handlers.
detail::request_spec new_request(detail::client& client, const detail::target& to, std::string request_id) {
  detail::request_spec spec;
  spec.nsp = to.nsp;
  spec.request_id = std::move(request_id);
  spec.wait = to.wait.value_or(client.options().request_timeout);
  return spec;
}

}  // namespace

// --- BroadcastOperator -------------------------------------------------------------------------------------------

BroadcastOperator::BroadcastOperator(std::shared_ptr<detail::client> client,
                                     std::shared_ptr<const detail::target> target)
    : client_(std::move(client)), target_(std::move(target)) {}

BroadcastOperator BroadcastOperator::to(const rooms& r) const {
  auto next = std::make_shared<detail::target>(*target_);
  for (const auto& name : r.names()) next->add_room(name);
  return {client_, std::move(next)};
}

BroadcastOperator BroadcastOperator::except(const rooms& r) const {
  auto next = std::make_shared<detail::target>(*target_);
  for (const auto& name : r.names()) next->add_except(name);
  return {client_, std::move(next)};
}

BroadcastOperator BroadcastOperator::volatile_() const {
  auto next = std::make_shared<detail::target>(*target_);
  next->set_flag(detail::broadcast_flag::volatile_, true);
  return {client_, std::move(next)};
}

BroadcastOperator BroadcastOperator::compress(bool enabled) const {
  auto next = std::make_shared<detail::target>(*target_);
  next->set_flag(detail::broadcast_flag::compress, enabled);
  return {client_, std::move(next)};
}

BroadcastOperator BroadcastOperator::timeout(std::chrono::milliseconds wait) const {
  if (wait.count() <= 0) throw data_error(errc::invalid_argument, "the request timeout must be positive");
  auto next = std::make_shared<detail::target>(*target_);
  next->wait = wait;
  return {client_, std::move(next)};
}

void BroadcastOperator::emit_args(std::string_view event, std::span<const value> args, Completion done) const {
  detail::operation op;
  op.kind = detail::operation_kind::broadcast;
  op.to = target_.get();
  op.event = event;
  op.args = args;
  run_async(*client_, op, std::move(done));
}

Published BroadcastOperator::emit_sync_args(std::string_view event, std::span<const value> args) const {
  detail::operation op;
  op.kind = detail::operation_kind::broadcast;
  op.to = target_.get();
  op.event = event;
  op.args = args;
  return run(*client_, op);
}

namespace {

// emit_msgpack's operation. The classic adapter's broadcast is always msgpack: the bytes go in as they are. The
// sharded and streams adapters choose JSON or msgpack by the values (hasBinary): they get the values, decoded.
struct msgpack_emit {
  detail::encoded_arguments encoded;
  std::vector<value> values;
  detail::operation op;

  msgpack_emit(const detail::client& client, const detail::target* to, std::string_view event, msgpack_args args)
      : encoded{args.bytes, args.count} {
    op.kind = detail::operation_kind::broadcast;
    op.to = to;
    op.event = event;
    if (client.options().mode == Options::adapter_mode::classic) {
      op.encoded = &encoded;
      return;
    }
    std::string array;
    detail::notepack_writer(array).array_header(args.count);
    array += args.bytes;
    detail::check_msgpack_values(args.bytes, args.count);  // the same errors as in the classic adapter
    values = detail::decode_msgpack(array).as_array();
    op.args = values;
  }
};

}  // namespace

void BroadcastOperator::emit_msgpack(std::string_view event, msgpack_args args, Completion done) const {
  const msgpack_emit e(*client_, target_.get(), event, args);
  run_async(*client_, e.op, std::move(done));
}

Published BroadcastOperator::emit_msgpack_sync(std::string_view event, msgpack_args args) const {
  const msgpack_emit e(*client_, target_.get(), event, args);
  return run(*client_, e.op);
}

Published BroadcastOperator::socketsJoin(const rooms& r) const {
  return run_membership(detail::operation_kind::sockets_join, r);
}

Published BroadcastOperator::socketsLeave(const rooms& r) const {
  return run_membership(detail::operation_kind::sockets_leave, r);
}

Published BroadcastOperator::run_membership(detail::operation_kind kind, const rooms& r) const {
  detail::operation op;
  op.kind = kind;
  op.to = target_.get();
  op.rooms = r.names();
  return run(*client_, op);
}

Published BroadcastOperator::disconnectSockets(bool close) const {
  detail::operation op;
  op.kind = detail::operation_kind::disconnect_sockets;
  op.to = target_.get();
  op.close = close;
  return run(*client_, op);
}

Delivery BroadcastOperator::emit_confirmed_args(std::string_view event, std::span<const value> args,
                                               bool wait_for_acks) const {
  detail::operation op;
  op.kind = detail::operation_kind::broadcast;
  op.to = target_.get();
  op.event = event;
  op.args = args;
  detail::validate(op);
  auto spec = new_request(*client_, *target_, client_->next_request_id());
  const detail::request_ids ids{detail::requester_uid(*client_), spec.request_id};
  const auto cluster = cluster_of(*client_);
  spec.publish = cluster ? detail::encode_cluster_broadcast_with_ack(*cluster, op, client_->options().key, ids, spec.wait)
                         : detail::encode_broadcast_with_ack(op, client_->options().key, ids, spec.wait);
  Delivery result;
  // Each server reports its client count once, then each client's ack as it comes.
  spec.take = [&result, wait_for_acks](const detail::answer& a) {
    if (a.kind == detail::answer_kind::client_count) {
      result.clients += count_in(a.value);
      return true;
    }
    if (a.kind == detail::answer_kind::client_ack && wait_for_acks) result.acks.push_back(a.value);
    return false;
  };
  if (wait_for_acks) spec.awaiting_more = [&result] { return result.acks.size() < result.clients; };
  detail::run_request(*client_, spec, result);
  return result;
}

SocketList BroadcastOperator::fetchSockets() const {
  detail::validate_target(*target_);
  auto spec = new_request(*client_, *target_, client_->next_request_id());
  const detail::request_ids ids{detail::requester_uid(*client_), spec.request_id};
  const auto cluster = cluster_of(*client_);
  spec.publish = cluster ? detail::encode_cluster_fetch_sockets(*cluster, *target_, client_->options().key, ids)
                         : detail::encode_fetch_sockets(*target_, client_->options().key, ids);
  SocketList result;
  spec.take = [&result](const detail::answer& a) {
    if (a.kind != detail::answer_kind::sockets) return false;
    const auto& sockets = a.value;
    if (sockets.type() == value::kind::array) {
      for (const auto& s : sockets.as_array()) {
        const auto& id = detail::member(s, "id");
        if (id.type() != value::kind::string) continue;
        result.sockets.push_back(RemoteSocket{id.as_string(), strings_in(detail::member(s, "rooms")),
                                              detail::member(s, "handshake"), detail::member(s, "data")});
      }
    }
    return true;
  };
  detail::run_request(*client_, spec, result);
  return result;
}

SocketIds BroadcastOperator::allSockets() const {
  if (!target_->except.empty())
    throw data_error(errc::invalid_argument, "allSockets() cannot leave rooms out (except); use fetchSockets()");
  detail::validate_target(*target_);
  auto spec = new_request(*client_, *target_, client_->next_request_id());
  const detail::request_ids ids{detail::requester_uid(*client_), spec.request_id};
  // The ClusterAdapter has no ids-only request: FETCH_SOCKETS, keeping the ids.
  const auto cluster = cluster_of(*client_);
  spec.publish = cluster ? detail::encode_cluster_fetch_sockets(*cluster, *target_, client_->options().key, ids)
                         : detail::encode_all_sockets(*target_, client_->options().key, ids);
  SocketIds result;
  spec.take = [&result](const detail::answer& a) {
    if (a.kind != detail::answer_kind::sockets) return false;
    if (a.value.type() != value::kind::array) return true;
    for (const auto& s : a.value.as_array()) {
      const auto& id = s.type() == value::kind::string ? s : detail::member(s, "id");
      if (id.type() == value::kind::string) result.ids.push_back(id.as_string());
    }
    return true;
  };
  detail::run_request(*client_, spec, result);
  return result;
}

// --- Emitter -----------------------------------------------------------------------------------------------------

Emitter::Emitter(Options options) : Emitter(std::make_shared<detail::client>(std::move(options)), "/") {}

Emitter::Emitter(std::string_view redis_url) : Emitter(Options{.redis_url = std::string(redis_url)}) {}

Emitter::Emitter(std::shared_ptr<detail::client> client, std::string nsp)
    : client_(std::move(client)), nsp_(std::move(nsp)) {}

Emitter Emitter::of(std::string_view nsp) const { return {client_, detail::normalize_namespace(nsp)}; }

const std::string& Emitter::nsp() const noexcept { return nsp_; }

const Options& Emitter::options() const noexcept { return client_->options(); }

void Emitter::connect() const {
  if (!client_->options().dry_run) client_->connect();
}

BroadcastOperator Emitter::all() const {
  auto target = std::make_shared<detail::target>();
  target->nsp = nsp_;
  return {client_, std::move(target)};
}

Published Emitter::serverSideEmit_args(std::string_view event, std::span<const value> args) const {
  const detail::target everyone{.nsp = nsp_};
  detail::operation op;
  op.kind = detail::operation_kind::server_side_emit;
  op.to = &everyone;
  op.event = event;
  op.args = args;
  return run(*client_, op);
}

ServerAcks Emitter::serverSideEmitWithAck_args(std::string_view event, std::span<const value> args,
                                               std::chrono::milliseconds timeout) const {
  if (timeout.count() <= 0) throw data_error(errc::invalid_argument, "the request timeout must be positive");
  const detail::target everyone{.nsp = nsp_, .wait = timeout};
  detail::operation op;
  op.kind = detail::operation_kind::server_side_emit;
  op.to = &everyone;
  op.event = event;
  op.args = args;
  detail::validate(op);
  auto spec = new_request(*client_, everyone, client_->next_request_id());
  const detail::request_ids ids{detail::requester_uid(*client_), spec.request_id};
  const auto cluster = cluster_of(*client_);
  spec.publish = cluster ? detail::encode_cluster_server_side_emit_with_ack(*cluster, op, client_->options().key, ids)
                         : detail::encode_server_side_emit_with_ack(op, client_->options().key, ids);
  ServerAcks result;
  // Only servers answer a serverSideEmit: whatever carries the request id is a server's acknowledgement.
  spec.take = [&result](const detail::answer& a) {
    result.responses.push_back(a.kind == detail::answer_kind::server_ack ? a.value : value::undefined());
    return true;
  };
  detail::run_request(*client_, spec, result);
  return result;
}

std::size_t Emitter::serverCount() const {
  return detail::count_servers(*client_, nsp_);
}

void Emitter::flush(std::chrono::milliseconds timeout) const { client_->flush(timeout); }

Stats Emitter::stats() const {
  const auto c = client_->counters();
  return {c.queued, c.acknowledged, c.failed, c.in_flight, c.reconnects};
}

}  // namespace sio
