#include "support/subscriber.hpp"

#include <poll.h>

#include <cerrno>
#include <stdexcept>

#include "support/hiredis_handle.hpp"
#include "support/redis_server.hpp"

namespace sio::test {

namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Reads the next reply without ever blocking past the deadline: a blocking hiredis read that times out would
// poison the context, so wait with poll(2) and feed hiredis only bytes that are already there.
detail::reply_ptr next_reply(redisContext& context, clock::time_point deadline) {
  for (;;) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(&context, &raw) != REDIS_OK)
      throw std::runtime_error(std::string("subscriber: bad reply from Redis: ") + context.errstr);
    if (raw != nullptr) return detail::reply_ptr(static_cast<redisReply*>(raw));

    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) return nullptr;
    pollfd readable{context.fd, POLLIN, 0};
    const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw std::runtime_error("subscriber: poll failed");
    if (ready == 0) return nullptr;
    if (redisBufferRead(&context) != REDIS_OK)
      throw std::runtime_error(std::string("subscriber: connection lost: ") + context.errstr);
  }
}

std::string element_text(const redisReply& reply, std::size_t index) {
  const auto& element = *reply.element[index];
  return element.str != nullptr ? std::string(element.str, element.len) : std::string();
}

}  // namespace

subscriber::subscriber(const redis_server& server, const std::vector<std::string>& names, mode how) {
  auto context = detail::connect_loopback(server.port(), server.password(), 2s);
  const std::string_view verb = how == mode::patterns ? "PSUBSCRIBE"
                                : how == mode::channels ? "SUBSCRIBE"
                                                        : "SSUBSCRIBE";
  std::vector<const char*> argv{verb.data()};
  std::vector<std::size_t> lengths{verb.size()};
  for (const auto& pattern : names) {
    argv.push_back(pattern.c_str());
    lengths.push_back(pattern.size());
  }
  if (redisAppendCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK)
    throw std::runtime_error(std::string("subscriber: ") + verb.data() + " failed: " + context->errstr);
  for (int done = 0; !done;)
    if (redisBufferWrite(context.get(), &done) != REDIS_OK)
      throw std::runtime_error(std::string("subscriber: ") + verb.data() + " failed: " + context->errstr);

  // Redis confirms each name separately; after the last confirmation every PUBLISH reaches us.
  const auto deadline = clock::now() + 2s;
  for (std::size_t confirmed = 0; confirmed < names.size(); ++confirmed) {
    auto reply = next_reply(*context, deadline);
    if (!reply) throw std::runtime_error(std::string("subscriber: Redis did not confirm ") + verb.data() + " within 2 s");
    if (reply->type == REDIS_REPLY_ERROR)
      throw std::runtime_error(std::string("subscriber: ") + verb.data() + " refused: " + reply->str);
  }
  ctx_ = context.release();
}

subscriber::~subscriber() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

std::optional<pubsub_message> subscriber::next_message(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    auto reply = next_reply(*ctx_, deadline);
    if (!reply) return std::nullopt;
    // A pmessage is ["pmessage", pattern, channel, payload], a message ["message", channel, payload] (or
    // "smessage" for a shard channel); anything else (confirmations) is skipped.
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 4 && element_text(*reply, 0) == "pmessage")
      return pubsub_message{element_text(*reply, 1), element_text(*reply, 2), element_text(*reply, 3)};
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
        (element_text(*reply, 0) == "message" || element_text(*reply, 0) == "smessage"))
      return pubsub_message{"", element_text(*reply, 1), element_text(*reply, 2)};
  }
}

}  // namespace sio::test
