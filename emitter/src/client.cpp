#include "client.hpp"

#include <condition_variable>
#include <mutex>

#include <fmt/format.h>

#include "codec/validate.hpp"
#include "sio/error.hpp"

namespace sio::detail {

client::client(Options options) : options_(std::move(options)) {
  auto endpoint = parse_redis_url(options_.redis_url);
  validate_key(options_.key);
  if (options_.connect_timeout.count() <= 0 || options_.command_timeout.count() <= 0)
    throw data_error(errc::invalid_argument, "timeouts must be positive");
  if (options_.username) endpoint.username = options_.username;
  if (options_.password) endpoint.password = options_.password;
  if (!options_.dry_run)
    pipeline_ = std::make_unique<redis_pipeline>(std::move(endpoint), options_.connect_timeout,
                                                 options_.command_timeout);
}

void client::connect() {
  if (pipeline_) pipeline_->connect();
}

void client::publish_async(const command& cmd, Completion done) {
  if (!pipeline_) return;
  if (done)
    pipeline_->enqueue_for_outcome(cmd.verb, cmd.channel, cmd.payload, std::move(done));
  else
    pipeline_->enqueue(cmd.verb, cmd.channel, cmd.payload);
}

long long client::publish(const command& cmd) {
  if (!pipeline_) return 0;
  // The reply comes on the I/O thread; this thread waits for it. The pipeline ends every command (reply, lost
  // connection or command timeout), so the wait is bounded.
  struct waiter {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    command_outcome outcome;
  } w;
  pipeline_->enqueue(cmd.verb, cmd.channel, cmd.payload, [&w](const command_outcome& outcome) {
    std::lock_guard lock(w.mutex);
    w.outcome = outcome;
    w.done = true;
    w.cv.notify_one();
  });
  std::unique_lock lock(w.mutex);
  w.cv.wait(lock, [&] { return w.done; });
  const auto context = fmt::format("{} {}", cmd.verb, cmd.channel);
  if (w.outcome.code != errc::ok) {
    // Reply errors name the command and channel; connection errors already name the endpoint.
    if (w.outcome.code == errc::auth || w.outcome.code == errc::reply)
      throw_redis_error(w.outcome.code, fmt::format("{} failed: {}", context, w.outcome.reply.text));
    throw_redis_error(w.outcome.code, w.outcome.message);
  }
  if (w.outcome.reply.kind != redis_reply::type::integer)
    throw redis_error(errc::protocol, fmt::format("{}: expected an integer reply", context));
  return w.outcome.reply.integer;
}

void client::flush(std::chrono::milliseconds timeout) {
  if (pipeline_) pipeline_->flush(timeout);
}

pipeline_counters client::counters() const { return pipeline_ ? pipeline_->counters() : pipeline_counters{}; }

}  // namespace sio::detail
