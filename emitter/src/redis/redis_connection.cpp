#include "redis/redis_connection.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <ctime>

#include "sio/error.hpp"

namespace sio::detail {

namespace {

struct context_deleter {
  void operator()(redisContext* context) const noexcept { redisFree(context); }
};
using context_ptr = std::unique_ptr<redisContext, context_deleter>;

struct reply_deleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

timeval to_timeval(std::chrono::milliseconds timeout) {
  // hiredis reads a zero timeval as "no timeout at all", so never pass one.
  const auto ms = timeout.count() < 1 ? 1 : timeout.count();
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

// hiredis reports a socket timeout as an I/O error whose errno is EAGAIN (SO_RCVTIMEO/SO_SNDTIMEO) or
// ETIMEDOUT (connect); errno may be overwritten by its cleanup, so the message text is checked too.
bool is_timeout(int saved_errno, const char* errstr) {
  if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT) return true;
  return std::strcmp(errstr, std::strerror(EAGAIN)) == 0 || std::strcmp(errstr, std::strerror(ETIMEDOUT)) == 0;
}

// hiredis writes with write(2), which raises SIGPIPE on a socket the server closed; the default action would
// kill the host process. Block SIGPIPE in this thread while hiredis writes and swallow any it caused.
class sigpipe_guard {
 public:
  sigpipe_guard() noexcept {
    sigemptyset(&pipe_only_);
    sigaddset(&pipe_only_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only_, &old_mask_);
  }
  ~sigpipe_guard() {
    const int saved_errno = errno;
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec no_wait{};
        while (sigtimedwait(&pipe_only_, nullptr, &no_wait) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    errno = saved_errno;
  }
  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;

 private:
  sigset_t pipe_only_{};
  sigset_t old_mask_{};
  bool was_pending_ = false;
};

redis_reply convert_reply(const redisReply& reply) {
  redis_reply converted;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      converted.kind = redis_reply::type::integer;
      converted.integer = reply.integer;
      break;
    case REDIS_REPLY_STATUS:
      converted.kind = redis_reply::type::status;
      converted.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STRING:
      converted.kind = redis_reply::type::string;
      converted.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      converted.kind = redis_reply::type::error;
      converted.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_NIL:
      converted.kind = redis_reply::type::nil;
      break;
    case REDIS_REPLY_ARRAY:
      converted.kind = redis_reply::type::array;
      converted.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) converted.elements.push_back(convert_reply(*reply.element[i]));
      break;
    default:
      throw redis_error(errc::protocol, fmt::format("unexpected Redis reply type {}", reply.type));
  }
  return converted;
}

// For messages: the command's name only, since its arguments may be a password or a large payload.
std::string describe_batch(std::span<const redis_command> commands) {
  if (commands.size() == 1) return std::string(commands.front().front());
  return fmt::format("a pipeline of {} commands", commands.size());
}

bool has_prefix_word(std::string_view text, std::string_view word) {
  return text.starts_with(word) && (text.size() == word.size() || text[word.size()] == ' ');
}

}  // namespace

redis_connection::redis_connection(const redis_endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds command_timeout)
    : endpoint_(endpoint), command_timeout_(command_timeout) {
  const auto connect_tv = to_timeval(connect_timeout);
  errno = 0;
  context_ptr context(endpoint_.kind == redis_endpoint::transport::tcp
                          ? redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, connect_tv)
                          : redisConnectUnixWithTimeout(endpoint_.path.c_str(), connect_tv));
  const int connect_errno = errno;
  if (!context)
    throw connection_error(fmt::format("cannot connect to Redis at {}: out of memory", endpoint_.describe()));
  if (context->err != 0) {
    if (is_timeout(connect_errno, context->errstr))
      throw timeout_error(fmt::format("cannot connect to Redis at {} within {} ms: {}", endpoint_.describe(),
                                      connect_timeout.count(), context->errstr));
    throw connection_error(fmt::format("cannot connect to Redis at {}: {}", endpoint_.describe(), context->errstr));
  }
  if (redisSetTimeout(context.get(), to_timeval(command_timeout)) != REDIS_OK)
    throw connection_error(
        fmt::format("cannot set the command timeout on {}: {}", endpoint_.describe(), context->errstr));
  // The context stays owned by `context` until the end, so a throw below frees it.
  ctx_ = context.get();

  const bool has_user = endpoint_.username && !endpoint_.username->empty();
  if (endpoint_.password || has_user) {
    // A user without a password sends an empty one, which Redis accepts for ACL users marked nopass.
    redis_command auth{"AUTH"};
    if (has_user) auth.emplace_back(*endpoint_.username);
    auth.emplace_back(endpoint_.password ? std::string_view(*endpoint_.password) : std::string_view{});
    const auto replies = pipeline(std::span(&auth, 1));
    if (replies.front().kind == redis_reply::type::error)
      throw auth_error(fmt::format("Redis at {} refused AUTH{}: {}", endpoint_.describe(),
                                   has_user ? fmt::format(" as user \"{}\"", *endpoint_.username) : "",
                                   replies.front().text));
  }
  if (endpoint_.db != 0) {
    const auto db_text = std::to_string(endpoint_.db);
    const redis_command select{"SELECT", db_text};
    const auto replies = pipeline(std::span(&select, 1));
    throw_if_error(replies.front(), fmt::format("SELECT {} on {}", endpoint_.db, endpoint_.describe()));
  }
  context.release();
}

redis_connection::~redis_connection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

bool redis_connection::broken() const noexcept { return ctx_ == nullptr || ctx_->err != 0 || desynced_; }

int redis_connection::fd() const noexcept { return ctx_ == nullptr ? -1 : ctx_->fd; }

void redis_connection::throw_io_error(std::string_view doing, int saved_errno) const {
  if (ctx_->err == REDIS_ERR_IO && is_timeout(saved_errno, ctx_->errstr))
    throw timeout_error(fmt::format("Redis did not answer within {} ms ({} on {})", command_timeout_.count(), doing,
                                    endpoint_.describe()));
  throw connection_error(
      fmt::format("lost the connection to Redis at {} during {}: {}", endpoint_.describe(), doing, ctx_->errstr));
}

std::vector<redis_reply> redis_connection::pipeline(std::span<const redis_command> commands) {
  if (broken())
    throw connection_error(fmt::format("the connection to Redis at {} is broken{}{}", endpoint_.describe(),
                                       ctx_ != nullptr && ctx_->err != 0 ? ": " : "",
                                       ctx_ != nullptr && ctx_->err != 0 ? ctx_->errstr : ""));
  if (commands.empty()) return {};
  for (const auto& command : commands)
    if (command.empty() || command.size() > INT_MAX)
      throw error(errc::invalid_argument, "a Redis command needs between 1 and INT_MAX arguments");

  const auto doing = describe_batch(commands);
  // Until every reply is read, a throw leaves unread replies behind: the connection must not be reused.
  desynced_ = true;
  sigpipe_guard no_sigpipe;

  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& command : commands) {
    argv.clear();
    lengths.clear();
    for (const auto arg : command) {
      argv.push_back(arg.empty() ? "" : arg.data());  // hiredis copies with memcpy, which must not see null
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(command.size()), argv.data(), lengths.data()) != REDIS_OK)
      throw_io_error(doing, errno);
  }

  std::vector<redis_reply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    errno = 0;
    const int status = redisGetReply(ctx_, &raw);
    const int saved_errno = errno;
    const reply_ptr reply(static_cast<redisReply*>(raw));
    if (status != REDIS_OK || !reply) throw_io_error(doing, saved_errno);
    replies.push_back(convert_reply(*reply));
  }
  desynced_ = false;
  return replies;
}

std::optional<redis_reply> redis_connection::read_push(std::chrono::steady_clock::time_point deadline) {
  if (broken()) throw connection_error(fmt::format("the connection to Redis at {} is broken", endpoint_.describe()));
  constexpr std::string_view doing = "a wait for messages";
  for (;;) {
    // Replies already read stay in hiredis' buffer: take those before waiting on the socket.
    void* raw = nullptr;
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) throw_io_error(doing, errno);
    if (raw != nullptr) {
      const reply_ptr reply(static_cast<redisReply*>(raw));
      return convert_reply(*reply);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{ctx_->fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw connection_error(fmt::format("cannot wait for messages from Redis at {}: {}", endpoint_.describe(),
                                         std::strerror(errno)));
    }
    if (ready == 0) continue;  // the deadline check above ends the wait
    errno = 0;
    if (redisBufferRead(ctx_) != REDIS_OK) throw_io_error(doing, errno);
  }
}

redis_reply to_redis_reply(const redisReply& reply) { return convert_reply(reply); }

errc classify_error_reply(std::string_view text) noexcept {
  if (has_prefix_word(text, "NOAUTH") || has_prefix_word(text, "WRONGPASS") || has_prefix_word(text, "NOPERM") ||
      text.starts_with("ERR invalid password"))
    return errc::auth;
  return errc::reply;
}

void throw_redis_error(errc code, const std::string& message) {
  switch (code) {
    case errc::connection:
      throw connection_error(message);
    case errc::auth:
      throw auth_error(message);
    case errc::timeout:
      throw timeout_error(message);
    case errc::reply:
      throw reply_error(message);
    default:
      throw redis_error(code, message);
  }
}

void throw_if_error(const redis_reply& reply, std::string_view context, std::string_view acl_user) {
  if (reply.kind != redis_reply::type::error) return;
  throw_redis_error(classify_error_reply(reply.text), error_reply_message(context, reply.text, acl_user));
}

std::string error_reply_message(std::string_view context, std::string_view text, std::string_view acl_user) {
  std::string message = fmt::format("{} failed: {}", context, text);
  if (!has_prefix_word(text, "NOPERM") || acl_user.empty()) return message;
  // Redis 7: "... no permissions to run the 'publish' command" / "... to access one of the channels ...".
  const auto quoted = text.find("command") != std::string_view::npos ? text.find('\'') : std::string_view::npos;
  const auto closing = quoted == std::string_view::npos ? quoted : text.find('\'', quoted + 1);
  if (closing != std::string_view::npos) {
    const auto command = text.substr(quoted + 1, closing - quoted - 1);
    return message + fmt::format(" (the ACL user \"{}\" lacks +{}: ACL SETUSER {} +{})", acl_user, command, acl_user,
                                 command);
  }
  if (text.find("channel") != std::string_view::npos) {
    // The adapter's channels all start with its key ("socket.io#/#", "socket.io-request#/#"): grant "<key>*".
    const auto space = context.find(' ');
    auto pattern = space == std::string_view::npos ? std::string_view{} : context.substr(space + 1);
    pattern = pattern.substr(0, pattern.find('#'));
    for (const std::string_view suffix : {"-request", "-response"})
      if (pattern.ends_with(suffix)) pattern.remove_suffix(suffix.size());
    return message + fmt::format(" (the ACL user \"{}\" may not use this channel: ACL SETUSER {} &{}*)", acl_user,
                                 acl_user, pattern.empty() ? "<key>" : pattern);
  }
  return message;
}

std::string acl_user_of(const redis_endpoint& endpoint) {
  return endpoint.username && !endpoint.username->empty() ? *endpoint.username : "default";
}

}  // namespace sio::detail
