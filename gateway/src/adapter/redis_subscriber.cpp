#include "adapter/redis_subscriber.hpp"

#include <poll.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include "sio/error.hpp"

namespace sio::gateway::adapter {

namespace {

struct reply_deleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

std::string element_text(const redisReply* r) {
  return r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR
             ? std::string(r->str, r->len)
             : std::string();
}

}  // namespace

redis_subscriber::redis_subscriber(const sio::detail::redis_endpoint& endpoint, std::chrono::milliseconds timeout,
                                   const std::vector<std::string>& patterns,
                                   const std::vector<std::string>& channels)
    : endpoint_(endpoint) {
  const auto tv = to_timeval(timeout);
  errno = 0;
  ctx_ = endpoint_.kind == sio::detail::redis_endpoint::transport::tcp
             ? redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv)
             : redisConnectUnixWithTimeout(endpoint_.path.c_str(), tv);
  if (ctx_ == nullptr)
    throw connection_error(fmt::format("cannot connect to Redis at {}: out of memory", endpoint_.describe()));
  if (ctx_->err != 0) {
    const std::string why = ctx_->errstr;
    redisFree(ctx_);
    ctx_ = nullptr;
    if (errno == EINPROGRESS || errno == ETIMEDOUT || why.find("imed out") != std::string::npos)
      throw timeout_error(fmt::format("cannot connect to Redis at {} within {} ms: {}", endpoint_.describe(),
                                      timeout.count(), why));
    throw connection_error(fmt::format("cannot connect to Redis at {}: {}", endpoint_.describe(), why));
  }
  try {
    redisSetTimeout(ctx_, tv);  // bounds the blocking writes
    const bool has_user = endpoint_.username && !endpoint_.username->empty();
    if (endpoint_.password || has_user) {
      std::vector<std::string> auth{"AUTH"};
      if (has_user) auth.push_back(*endpoint_.username);
      auth.push_back(endpoint_.password ? *endpoint_.password : std::string());
      send(auth);
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      // The AUTH reply is the first one: read it directly.
      void* raw = nullptr;
      while (raw == nullptr) {
        if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK)
          throw connection_error(fmt::format("bad reply from Redis at {}", endpoint_.describe()));
        if (raw != nullptr) break;
        pollfd p{ctx_->fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                                std::chrono::steady_clock::now());
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
          throw timeout_error(
              fmt::format("Redis at {} did not answer AUTH within {} ms", endpoint_.describe(), timeout.count()));
        if (redisBufferRead(ctx_) != REDIS_OK)
          throw connection_error(fmt::format("the connection to Redis at {} broke during AUTH: {}",
                                             endpoint_.describe(), ctx_->errstr));
      }
      const reply_ptr reply(static_cast<redisReply*>(raw));
      if (reply->type == REDIS_REPLY_ERROR)
        throw auth_error(fmt::format("Redis at {} refused AUTH: {}", endpoint_.describe(), element_text(reply.get())));
    }
    std::size_t expected = 0;
    if (!patterns.empty()) {
      std::vector<std::string> cmd{"PSUBSCRIBE"};
      cmd.insert(cmd.end(), patterns.begin(), patterns.end());
      send(cmd);
      expected += patterns.size();
    }
    if (!channels.empty()) {
      std::vector<std::string> cmd{"SUBSCRIBE"};
      cmd.insert(cmd.end(), channels.begin(), channels.end());
      send(cmd);
      expected += channels.size();
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (confirmations_ < expected)
      if (!read_one(deadline, -1))
        throw timeout_error(fmt::format("Redis at {} did not confirm the subscriptions within {} ms",
                                        endpoint_.describe(), timeout.count()));
  } catch (...) {
    redisFree(ctx_);
    ctx_ = nullptr;
    throw;
  }
}

redis_subscriber::~redis_subscriber() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

void redis_subscriber::send(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK)
    throw connection_error(fmt::format("cannot send {} to Redis at {}: {}", args.front(), endpoint_.describe(),
                                       ctx_->errstr));
  int done = 0;
  while (done == 0)
    if (redisBufferWrite(ctx_, &done) != REDIS_OK)
      throw connection_error(fmt::format("cannot send {} to Redis at {}: {}", args.front(), endpoint_.describe(),
                                         ctx_->errstr));
}

bool redis_subscriber::read_one(std::chrono::steady_clock::time_point deadline, int wake_fd) {
  void* raw = nullptr;
  for (;;) {
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK)
      throw connection_error(fmt::format("bad reply from Redis at {}: {}", endpoint_.describe(), ctx_->errstr));
    if (raw != nullptr) break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{ctx_->fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(fds, wake_fd >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw connection_error(fmt::format("poll failed: {}", std::strerror(errno)));
    if (n == 0) return false;
    if (wake_fd >= 0 && (fds[1].revents & POLLIN) != 0) return false;
    if (redisBufferRead(ctx_) != REDIS_OK)
      throw connection_error(
          fmt::format("the connection to Redis at {} was lost: {}", endpoint_.describe(), ctx_->errstr));
  }
  const reply_ptr reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR)
    throw connection_error(fmt::format("Redis at {} refused a subscription: {}", endpoint_.describe(),
                                       element_text(reply.get())));
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return true;
  const std::string kind = element_text(reply->element[0]);
  if (kind == "message" && reply->elements == 3) {
    pending_.push_back({"", element_text(reply->element[1]), element_text(reply->element[2])});
  } else if (kind == "pmessage" && reply->elements == 4) {
    pending_.push_back(
        {element_text(reply->element[1]), element_text(reply->element[2]), element_text(reply->element[3])});
  } else if (kind == "subscribe" || kind == "psubscribe") {
    ++confirmations_;
  }
  return true;
}

std::optional<pubsub_message> redis_subscriber::next(std::chrono::milliseconds wait, int wake_fd) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (pending_.empty())
    if (!read_one(deadline, wake_fd)) return std::nullopt;
  pubsub_message m = std::move(pending_.front());
  pending_.pop_front();
  return m;
}

void redis_subscriber::unsubscribe() noexcept {
  if (ctx_ == nullptr || ctx_->err != 0) return;
  try {
    send({"PUNSUBSCRIBE"});
    send({"UNSUBSCRIBE"});
  } catch (...) {
    // Closing the connection ends the subscriptions anyway.
  }
}

}  // namespace sio::gateway::adapter
