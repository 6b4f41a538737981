#include "adapter/redis_subscriber.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "adapter/redis_nodes.hpp"
#include "sio/error.hpp"

namespace sio::gateway::adapter {

using sio::detail::redis_command;
using sio::detail::redis_reply;

namespace {

const std::string& element_text(const redis_reply& reply) { return reply.text; }

}  // namespace

redis_subscriber::redis_subscriber(std::unique_ptr<sio::detail::redis_connection> connection,
                                   std::chrono::milliseconds timeout, const std::vector<std::string>& patterns,
                                   const std::vector<std::string>& channels,
                                   const std::vector<std::string>& shard_channels)
    : endpoint_(connection->endpoint()), connection_(std::move(connection)) {
  std::vector<redis_command> commands;
  std::size_t expected = 0;
  if (!patterns.empty()) {
    redis_command cmd{"PSUBSCRIBE"};
    cmd.insert(cmd.end(), patterns.begin(), patterns.end());
    commands.push_back(std::move(cmd));
    expected += patterns.size();
  }
  if (!channels.empty()) {
    redis_command cmd{"SUBSCRIBE"};
    cmd.insert(cmd.end(), channels.begin(), channels.end());
    commands.push_back(std::move(cmd));
    expected += channels.size();
  }
  // One per command: on a Redis Cluster, the channels of one SSUBSCRIBE must share a slot.
  for (const auto& channel : shard_channels) commands.push_back(redis_command{"SSUBSCRIBE", channel});
  expected += shard_channels.size();
  sharded_ = !shard_channels.empty();
  plain_subscriptions_ = patterns.size() + channels.size();
  shard_channels_.insert(shard_channels.begin(), shard_channels.end());
  // What an error reply is blamed on: the first subscription, which also gives the NOPERM hint its key.
  if (!commands.empty()) subscribing_ = fmt::format("{} {}", commands.front()[0], commands.front()[1]);
  connection_->send(commands);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (confirmations_ < expected)
    if (!read_one(deadline, -1))
      throw timeout_error(fmt::format("Redis at {} did not confirm the subscriptions within {} ms",
                                      endpoint_.describe(), timeout.count()));
}

redis_subscriber::~redis_subscriber() = default;

bool redis_subscriber::read_one(std::chrono::steady_clock::time_point deadline, int wake_fd) {
  const auto reply = connection_->read_push(deadline, wake_fd);
  if (!reply) return false;
  // The library's words and class for an error reply: NOAUTH names the missing password, and is an auth_error (a
  // refusal, exit 5), as notify says.
  if (reply->kind == redis_reply::type::error)
    sio::detail::throw_redis_error(
        sio::detail::classify_error_reply(reply->text),
        fmt::format("Redis at {} refused a subscription: {}", endpoint_.describe(),
                    sio::detail::error_reply_message(subscribing_, reply->text, sio::detail::acl_user_of(endpoint_))));
  if (reply->kind != redis_reply::type::array || reply->elements.size() < 3) return true;
  const auto& e = reply->elements;
  const std::string& kind = element_text(e[0]);
  if ((kind == "message" || kind == "smessage") && e.size() == 3) {
    pending_.push_back({"", element_text(e[1]), element_text(e[2])});
  } else if (kind == "pmessage" && e.size() == 4) {
    pending_.push_back({element_text(e[1]), element_text(e[2]), element_text(e[3])});
  } else if (kind == "subscribe" || kind == "psubscribe" || kind == "ssubscribe") {
    ++confirmations_;
  } else if (kind == "sunsubscribe" && shard_channels_.erase(element_text(e[1])) > 0) {
    lost_.push_back(element_text(e[1]));  // not ours: Redis moved the channel's slot away
  }
  return true;
}

std::optional<pubsub_message> redis_subscriber::next(std::chrono::milliseconds wait, int wake_fd) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (pending_.empty()) {
    if (!read_one(deadline, wake_fd)) return std::nullopt;
    if (!lost_.empty()) return std::nullopt;  // a channel to subscribe again elsewhere: the caller does it now
  }
  pubsub_message m = std::move(pending_.front());
  pending_.pop_front();
  return m;
}

void redis_subscriber::shard_subscribe(const std::string& channel) {
  const std::array<redis_command, 1> command{redis_command{"SSUBSCRIBE", channel}};
  connection_->send(command);
  sharded_ = true;
  shard_channels_.insert(channel);
}

void redis_subscriber::shard_unsubscribe(const std::string& channel) {
  shard_channels_.erase(channel);  // its sunsubscribe confirmation is ours, not a moved slot
  const std::array<redis_command, 1> command{redis_command{"SUNSUBSCRIBE", channel}};
  connection_->send(command);
}

std::string redis_subscriber::node() const { return node_name(endpoint_); }

std::vector<std::string> redis_subscriber::take_lost_shard_channels() { return std::exchange(lost_, {}); }

int redis_subscriber::fd() const noexcept { return connection_->stream().fd(); }

void redis_subscriber::unsubscribe() noexcept {
  if (!connection_ || connection_->broken()) return;
  try {
    std::vector<redis_command> commands{redis_command{"PUNSUBSCRIBE"}, redis_command{"UNSUBSCRIBE"}};
    if (sharded_) commands.push_back(redis_command{"SUNSUBSCRIBE"});
    connection_->send(commands);
  } catch (...) {
    // Closing the connection ends the subscriptions anyway.
  }
}

}  // namespace sio::gateway::adapter
