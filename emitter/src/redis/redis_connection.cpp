#include "sio/internal/redis/redis_connection.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>

#include "redis/plain_stream.hpp"
#include "redis/resp_writer.hpp"
#include "redis/sigpipe_guard.hpp"
#include "redis/socket_connect.hpp"
#include "redis/tls_stream.hpp"
#include "sio/error.hpp"

namespace sio::detail {

namespace {

struct reply_deleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

// hiredis' words for a closed connection, kept so messages read as before.
constexpr std::string_view closed_by_server = "Server closed the connection";

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

void redis_connection::reader_deleter::operator()(redisReader* reader) const noexcept { redisReaderFree(reader); }

redis_connection::redis_connection(const redis_endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds command_timeout)
    : endpoint_(endpoint), command_timeout_(command_timeout), reader_(redisReaderCreate()) {
  if (!reader_) throw connection_error(fmt::format("cannot connect to Redis at {}: out of memory", endpoint_.describe()));
  // One budget for the TCP connect and the TLS handshake; never zero, which would fail before trying.
  const auto budget = std::max(connect_timeout, std::chrono::milliseconds(1));
  const auto deadline = clock::now() + budget;
  auto socket = connect_socket(endpoint_, deadline, budget);
  if (endpoint_.tls.enabled)
    stream_ = start_tls(std::move(socket), endpoint_, deadline, budget);
  else
    stream_ = std::make_unique<plain_stream>(std::move(socket));

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
  // TLS 1.3 servers refuse a missing client certificate only after the handshake: ask once now, so the refusal
  // comes from the constructor (a clear sio::tls_error) and not from the first publish.
  if (stream_->client_certificate_missing() && !endpoint_.password && !has_user && endpoint_.db == 0) {
    const redis_command ping{"PING"};
    pipeline(std::span(&ping, 1));
  }
}

redis_connection::~redis_connection() = default;

bool redis_connection::broken() const noexcept { return broken_ || desynced_; }

void redis_connection::fail(const io_result& result, std::string_view doing) {
  broken_ = true;
  switch (result.state) {
    case io_result::status::tls_failed:
      broken_reason_ = result.error;
      throw tls_error(result.error);
    case io_result::status::closed:
      broken_reason_ = closed_by_server;
      break;
    default:
      broken_reason_ = result.error;
      break;
  }
  throw connection_error(
      fmt::format("lost the connection to Redis at {} during {}: {}", endpoint_.describe(), doing, broken_reason_));
}

void redis_connection::fail_timeout(std::string_view doing) {
  broken_ = true;
  broken_reason_ = "a command timed out";
  throw timeout_error(fmt::format("Redis did not answer within {} ms ({} on {})", command_timeout_.count(), doing,
                                  endpoint_.describe()));
}

bool redis_connection::wait_until(short events, clock::time_point deadline, std::string_view doing, int wake_fd) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return false;
    std::array<pollfd, 2> fds{pollfd{stream_->fd(), events, 0}, pollfd{wake_fd, POLLIN, 0}};
    const int ready = ::poll(fds.data(), wake_fd >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (ready > 0) return (fds[1].revents & POLLIN) == 0 || wake_fd < 0;
    if (ready < 0 && errno != EINTR) fail({io_result::status::failed, 0, std::strerror(errno)}, doing);
  }
}

void redis_connection::write_all(std::string_view bytes, std::string_view doing) {
  // Each wait gets the whole command timeout, as a socket timeout (SO_SNDTIMEO) would.
  while (!bytes.empty()) {
    const auto result = stream_->write_some(bytes.data(), bytes.size());
    switch (result.state) {
      case io_result::status::ok: bytes.remove_prefix(result.bytes); break;
      case io_result::status::want_read:
      case io_result::status::want_write:
        if (!wait_until(result.state == io_result::status::want_read ? POLLIN : POLLOUT,
                        clock::now() + command_timeout_, doing))
          fail_timeout(doing);
        break;
      default: fail(result, doing);
    }
  }
}

std::optional<redis_reply> redis_connection::take_parsed_reply(std::string_view doing) {
  void* raw = nullptr;
  if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
    broken_ = true;
    broken_reason_ = reader_->errstr;
    throw redis_error(errc::protocol, fmt::format("unreadable reply from Redis at {} during {}: {}",
                                                  endpoint_.describe(), doing, broken_reason_));
  }
  if (raw == nullptr) return std::nullopt;
  const reply_ptr reply(static_cast<redisReply*>(raw));
  return convert_reply(*reply);
}

bool redis_connection::read_into_parser(std::string_view doing, short& wants) {
  std::array<char, 16 * 1024> input;
  const auto result = stream_->read_some(input.data(), input.size());
  switch (result.state) {
    case io_result::status::ok:
      if (redisReaderFeed(reader_.get(), input.data(), result.bytes) != REDIS_OK) {
        broken_ = true;
        broken_reason_ = reader_->errstr;
        throw redis_error(errc::protocol, fmt::format("unreadable reply from Redis at {} during {}: {}",
                                                      endpoint_.describe(), doing, broken_reason_));
      }
      return true;
    case io_result::status::want_read: wants = POLLIN; return false;
    case io_result::status::want_write: wants = POLLOUT; return false;
    default: fail(result, doing);
  }
}

redis_reply redis_connection::read_reply(std::string_view doing) {
  for (;;) {
    if (auto reply = take_parsed_reply(doing)) return std::move(*reply);
    short wants = POLLIN;
    if (read_into_parser(doing, wants)) continue;
    if (!wait_until(wants, clock::now() + command_timeout_, doing)) fail_timeout(doing);
  }
}

void redis_connection::check_usable() const {
  if (broken())
    throw connection_error(fmt::format("the connection to Redis at {} is broken{}{}", endpoint_.describe(),
                                       broken_reason_.empty() ? "" : ": ", broken_reason_));
}

void redis_connection::send(std::span<const redis_command> commands) {
  check_usable();
  if (commands.empty()) return;
  for (const auto& command : commands)
    if (command.empty() || command.size() > INT_MAX)
      throw error(errc::invalid_argument, "a Redis command needs between 1 and INT_MAX arguments");
  std::optional<sigpipe_guard> no_sigpipe;  // OpenSSL writes with write(2); a plain stream sends MSG_NOSIGNAL
  if (stream_->is_tls()) no_sigpipe.emplace();
  std::string out;
  for (const auto& command : commands) append_command(out, command);
  write_all(out, describe_batch(commands));
}

std::vector<redis_reply> redis_connection::pipeline(std::span<const redis_command> commands) {
  send(commands);  // a failed write marks the connection broken itself
  if (commands.empty()) return {};
  // Until every reply is read, a throw leaves unread replies behind: the connection must not be reused.
  desynced_ = true;
  const auto doing = describe_batch(commands);
  std::optional<sigpipe_guard> no_sigpipe;  // a TLS read may write (key updates); a plain read never raises SIGPIPE
  if (stream_->is_tls()) no_sigpipe.emplace();

  std::vector<redis_reply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) replies.push_back(read_reply(doing));
  desynced_ = false;
  return replies;
}

std::optional<redis_reply> redis_connection::read_push(std::chrono::steady_clock::time_point deadline, int wake_fd) {
  if (broken()) throw connection_error(fmt::format("the connection to Redis at {} is broken", endpoint_.describe()));
  constexpr std::string_view doing = "a wait for messages";
  std::optional<sigpipe_guard> no_sigpipe;  // a TLS read may write (key updates); a plain read never raises SIGPIPE
  if (stream_->is_tls()) no_sigpipe.emplace();
  for (;;) {
    // Replies already read stay in the parser (and TLS records in OpenSSL): take those before waiting.
    if (auto reply = take_parsed_reply(doing)) return reply;
    short wants = POLLIN;
    if (read_into_parser(doing, wants)) continue;
    if (!wait_until(wants, deadline, doing, wake_fd)) return std::nullopt;
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
  // Sent without a password to a server that needs one: the password goes in the URL, for every caller alike.
  if (has_prefix_word(text, "NOAUTH"))
    return message +
           " (the server needs a password: put it in the Redis URL, redis://:PASSWORD@HOST:PORT or "
           "redis://USER:PASSWORD@HOST:PORT, e.g. in REDIS_URL)";
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
