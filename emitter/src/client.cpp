#include "client.hpp"

#include <fmt/format.h>

#include "codec/validate.hpp"
#include "sio/error.hpp"

namespace sio::detail {

client::client(Options options) : options_(std::move(options)), endpoint_(parse_redis_url(options_.redis_url)) {
  validate_key(options_.key);
  if (options_.connect_timeout.count() <= 0 || options_.command_timeout.count() <= 0)
    throw data_error(errc::invalid_argument, "timeouts must be positive");
  if (options_.username) endpoint_.username = options_.username;
  if (options_.password) endpoint_.password = options_.password;
}

redis_connection& client::connection() {
  if (connection_ && connection_->broken()) connection_.reset();
  if (!connection_)
    connection_ = std::make_unique<redis_connection>(endpoint_, options_.connect_timeout, options_.command_timeout);
  return *connection_;
}

void client::connect() {
  std::lock_guard lock(mutex_);
  connection();
}

long long client::publish(const command& cmd) {
  const redis_command argv{cmd.verb, cmd.channel, cmd.payload};
  std::lock_guard lock(mutex_);
  auto replies = connection().pipeline(std::span(&argv, 1));
  const auto context = fmt::format("{} {}", cmd.verb, cmd.channel);
  if (replies.size() != 1)
    throw redis_error(errc::protocol, fmt::format("{}: expected one reply, got {}", context, replies.size()));
  const auto& reply = replies.front();
  throw_if_error(reply, context);
  if (reply.kind != redis_reply::type::integer)
    throw redis_error(errc::protocol, fmt::format("{}: expected an integer reply", context));
  return reply.integer;
}

}  // namespace sio::detail
