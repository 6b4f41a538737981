// Owning hiredis handles and a loopback connect shared by the test-support classes.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sio::test::detail {

struct context_deleter {
  void operator()(redisContext* context) const noexcept { redisFree(context); }
};
using context_ptr = std::unique_ptr<redisContext, context_deleter>;

struct reply_deleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

// Connects to 127.0.0.1:port with the timeout for connect and every read/write, then AUTHs if a password is
// given. Throws std::runtime_error.
context_ptr connect_loopback(int port, const std::optional<std::string>& password, std::chrono::milliseconds timeout);

// One blocking command, binary-safe. Throws std::runtime_error on I/O failure (never returns null).
reply_ptr run_command(redisContext& context, const std::vector<std::string>& args);

}  // namespace sio::test::detail
