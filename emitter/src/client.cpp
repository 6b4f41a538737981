#include "client.hpp"

#include <condition_variable>
#include <mutex>
#include <random>
#include <string_view>

#include <fmt/format.h>

#include "sio/internal/protocol/validate.hpp"
#include "sio/internal/redis/sentinel.hpp"
#include "sio/error.hpp"

namespace sio::detail {

namespace {

// "sio-" and 12 random letters and digits.
std::string random_uid() {
  static constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::random_device entropy;
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string uid = "sio-";
  for (int i = 0; i < 12; ++i) uid += alphabet[pick(entropy)];
  return uid;
}

// Every (re)connect asks the sentinels where the master is now, so publishing follows a failover.
connection_opener master_opener(const redis_endpoint& endpoint, const Options& options) {
  if (endpoint.topology != redis_endpoint::deployment::sentinel) return {};
  return [endpoint, connect = options.connect_timeout, command = options.command_timeout] {
    return connect_to_master(endpoint, connect, command);
  };
}

}  // namespace

client::client(Options options) : options_(std::move(options)), endpoint_(parse_redis_url(options_.redis_url)) {
  validate_key(options_.key);
  if (options_.connect_timeout.count() <= 0 || options_.command_timeout.count() <= 0 ||
      options_.request_timeout.count() <= 0)
    throw data_error(errc::invalid_argument, "timeouts must be positive");
  if (options_.reconnect_delay.count() <= 0 || options_.max_reconnect_delay < options_.reconnect_delay)
    throw data_error(errc::invalid_argument, "reconnect delays must be positive, the maximum at least the first");
  if (options_.username) endpoint_.username = options_.username;
  if (options_.password) endpoint_.password = options_.password;
  apply_tls_options(options_.tls, endpoint_);
  if (options_.mode == Options::adapter_mode::streams) {
    if (options_.stream_name.empty()) throw data_error(errc::invalid_argument, "the stream name is empty");
    if (options_.stream_count == 0) throw data_error(errc::invalid_argument, "the stream count must be at least 1");
    if (options_.stream_max_len == 0) throw data_error(errc::invalid_argument, "the stream's maxLen must be positive");
  }
  uid_ = options_.dry_run ? "sio-dry-run" : random_uid();
  const reconnect_policy reconnect{options_.max_buffered_messages, options_.max_buffered_bytes,
                                   options_.overflow == Options::overflow_policy::drop_oldest,
                                   options_.reconnect_delay, options_.max_reconnect_delay};
  if (options_.dry_run) return;
  if (endpoint_.topology == redis_endpoint::deployment::cluster)
    router_ = std::make_unique<cluster_router>(endpoint_, options_.connect_timeout, options_.command_timeout,
                                               reconnect);
  else
    pipeline_ = std::make_unique<redis_pipeline>(endpoint_, options_.connect_timeout, options_.command_timeout,
                                                 reconnect, pipeline_limits{}, master_opener(endpoint_, options_));
}

std::string client::next_request_id() {
  if (options_.dry_run) return "dry-run";
  return fmt::format("{}-{}", uid_, ++requests_made_);
}

void client::connect() {
  if (pipeline_) pipeline_->connect();
  if (router_) router_->connect();
}

namespace {

// A publish's reply as its caller sees it: an integer reply is the receivers (PUBLISH, SPUBLISH), a string reply
// XADD's entry id; any other reply is a protocol error naming `verb`.
Outcome to_outcome(std::string_view verb, const command_outcome& result) {
  Outcome outcome;
  outcome.code = result.code;
  outcome.message = result.message;
  if (result.code != errc::ok) return outcome;
  if (result.reply.kind == redis_reply::type::integer) {
    outcome.receivers = result.reply.integer;
  } else if (result.reply.kind == redis_reply::type::string) {
    outcome.offset = result.reply.text;  // XADD: the entry's id
  } else {
    outcome.code = errc::protocol;
    outcome.message = fmt::format("{}: expected an integer or an entry id", verb);
  }
  return outcome;
}

}  // namespace

void client::publish_async(const command& cmd, Completion done) {
  command_completion on_reply;
  if (done) {
    // The Redis layer reports replies; what a reply means to a publisher (receivers, an entry id) is decided here.
    // The verb only names the command in a protocol error: one of the three a publish uses, as a literal (no copy).
    const std::string_view verb = cmd.verb == "XADD" ? "XADD" : cmd.verb == "SPUBLISH" ? "SPUBLISH" : "PUBLISH";
    on_reply = [done = std::move(done), verb](const command_outcome& result) {
      done(to_outcome(verb, result));
    };
  }
  // Queued emits ride out an outage in the buffer; callers waiting for a reply (publish below) do not.
  if (router_)
    router_->enqueue(cmd, std::move(on_reply), true);
  else if (pipeline_)
    pipeline_->enqueue(cmd.verb, cmd.channel, cmd.payload, std::move(on_reply), true, cmd.between);
}

client::reply_of_publish client::publish(const command& cmd) {
  if (!pipeline_ && !router_) return {};
  // The reply comes on the I/O thread; this thread waits for it. The pipeline ends every command (reply, lost
  // connection or command timeout), so the wait is bounded.
  struct waiter {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    command_outcome outcome;
  } w;
  auto wake = [&w](const command_outcome& outcome) {
    std::lock_guard lock(w.mutex);
    w.outcome = outcome;
    w.done = true;
    w.cv.notify_one();
  };
  if (router_)
    router_->enqueue(cmd, std::move(wake), false);
  else
    pipeline_->enqueue(cmd.verb, cmd.channel, cmd.payload, std::move(wake), false, cmd.between);
  std::unique_lock lock(w.mutex);
  w.cv.wait(lock, [&] { return w.done; });
  const auto context = fmt::format("{} {}", cmd.verb, cmd.channel);
  if (w.outcome.code != errc::ok) {
    // Reply errors name the command and channel; connection errors already name the endpoint.
    if (w.outcome.code == errc::auth || w.outcome.code == errc::reply)
      throw_redis_error(w.outcome.code, error_reply_message(context, w.outcome.reply.text, acl_user_of(endpoint_)));
    throw_redis_error(w.outcome.code, w.outcome.message);
  }
  if (w.outcome.reply.kind == redis_reply::type::integer)
    return {w.outcome.reply.integer, {}, !(router_ && cmd.verb == "PUBLISH")};
  if (w.outcome.reply.kind == redis_reply::type::string) return {0, std::move(w.outcome.reply.text)};  // XADD
  throw redis_error(errc::protocol, fmt::format("{}: expected an integer or an entry id", context));
}

void client::flush(std::chrono::milliseconds timeout) {
  if (pipeline_) pipeline_->flush(timeout);
  if (router_) router_->flush(timeout);
}

pipeline_counters client::counters() const {
  if (router_) return router_->counters();
  return pipeline_ ? pipeline_->counters() : pipeline_counters{};
}

}  // namespace sio::detail
