// The facade: turns calls into operations, validates and encodes them, and hands the command to the client.
#include "sio/emitter.hpp"

#include "client.hpp"
#include "codec/classic_codec.hpp"
#include "codec/operation.hpp"
#include "codec/validate.hpp"

namespace sio {

namespace {

Published run(detail::client& client, const detail::operation& op) {
  detail::validate(op);
  auto cmd = detail::encode_classic(op, client.options().key);
  Published result;
  if (!client.options().dry_run) result.receivers = client.publish(cmd);
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
  detail::encode_classic(op, client.options().key, scratch);
  if (client.options().dry_run) {
    if (done) done(Outcome{});
    return;
  }
  client.publish_async(scratch, std::move(done));
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

void Emitter::flush(std::chrono::milliseconds timeout) const { client_->flush(timeout); }

Stats Emitter::stats() const {
  const auto c = client_->counters();
  return {c.queued, c.acknowledged, c.failed, c.in_flight};
}

}  // namespace sio
