#include "sio/internal/redis/redis_pipeline.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "redis/resp_writer.hpp"
#include "sio/backoff.hpp"

namespace sio::detail {

namespace {

using clock = std::chrono::steady_clock;

// The RESP size of `verb channel [between...] payload`, as append_bulk writes it.
std::size_t resp_size(std::string_view verb, std::string_view channel, std::string_view payload,
                      std::span<const std::string> between) {
  const auto bulk = [](std::size_t n) { return 1 + std::to_string(n).size() + 2 + n + 2; };
  std::size_t size = 1 + std::to_string(3 + between.size()).size() + 2 + bulk(verb.size()) + bulk(channel.size()) +
                     bulk(payload.size());
  for (const auto& arg : between) size += bulk(arg.size());
  return size;
}

constexpr std::string_view asking_command = "*1\r\n$6\r\nASKING\r\n";

struct reader_deleter {
  void operator()(redisReader* reader) const noexcept { redisReaderFree(reader); }
};
using reader_ptr = std::unique_ptr<redisReader, reader_deleter>;

}  // namespace

redis_pipeline::redis_pipeline(redis_endpoint endpoint, std::chrono::milliseconds connect_timeout,
                               std::chrono::milliseconds command_timeout, reconnect_policy reconnect,
                               pipeline_limits limits, connection_opener open)
    : endpoint_(std::move(endpoint)),
      connect_timeout_(connect_timeout),
      command_timeout_(command_timeout),
      reconnect_(reconnect),
      limits_(limits),
      open_(std::move(open)) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw redis_error(errc::connection, fmt::format("eventfd: {}", std::strerror(errno)));
  io_thread_ = std::thread([this] { run(); });
}

redis_pipeline::~redis_pipeline() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_io_thread();
  io_thread_.join();
  ::close(wake_fd_);
}

void redis_pipeline::wake_io_thread() {
  const std::uint64_t one = 1;
  // EAGAIN only when the counter is saturated, and then the thread is awake anyway.
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

std::unique_ptr<redis_connection> redis_pipeline::set_state([[maybe_unused]] const std::unique_lock<std::mutex>& lock,
                                                             connection_state next,
                                                             std::unique_ptr<redis_connection> opened) {
  assert(lock.owns_lock() && lock.mutex() == &mutex_);
  assert(transition_allowed(state_, next));
  assert((next == connection_state::connected) == (opened != nullptr));
  auto left = std::move(connection_);  // null unless leaving connected
  if (next == connection_state::connected) {
    // A plain socket may be written by a caller beside the I/O thread's reads; a TLS session may not.
    direct_send_ = !opened->stream().is_tls();
    connection_ = std::move(opened);
    ++connections_opened_;
  }
  state_ = next;
  return left;
}

void redis_pipeline::connect() {
  {
    std::lock_guard lock(mutex_);
    if (state_ == connection_state::connected) return;
  }
  open_connection();
}

void redis_pipeline::open_connection() {
  std::lock_guard connecting(connect_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (state_ == connection_state::connected) return;  // another caller connected while this one waited
  }
  // Synchronous connect (and TLS handshake), AUTH and SELECT; then the stream (non-blocking) is the I/O thread's.
  auto connection =
      open_ ? open_() : std::make_unique<redis_connection>(endpoint_, connect_timeout_, command_timeout_);
  {
    // Not connected still: only callers connect, one at a time (connect_mutex_), and only the I/O thread leaves it.
    std::unique_lock lock(mutex_);
    set_state(lock, connection_state::connected, std::move(connection));
  }
  wake_io_thread();
}

void redis_pipeline::pending_command::complete(errc code, std::string message, redis_reply reply, bool sent) {
  if (done) done(command_outcome{code, std::move(message), std::move(reply), sent});
}

void redis_pipeline::enqueue(std::string_view verb, std::string_view channel, std::string_view payload,
                             command_completion done, bool may_buffer, std::span<const std::string> between) {
  enqueue_command(verb, channel, payload, between, pending_command{std::move(done), {}, 0}, may_buffer);
}

void redis_pipeline::enqueue_after_asking(std::string_view verb, std::string_view channel, std::string_view payload,
                                          std::span<const std::string> between, command_completion done) {
  enqueue_command(verb, channel, payload, between, pending_command{std::move(done), {}, 0}, false, true);
}

bool redis_pipeline::make_buffer_room(std::size_t bytes, std::deque<pending_command>& dropped) {
  // Reconnecting, everything unanswered is unsent and queued_ holds exactly its bytes.
  std::size_t drop_count = 0;
  std::size_t drop_bytes = 0;
  const auto fits = [&] {
    return unanswered_.size() - drop_count < reconnect_.max_buffered_messages &&
           queued_.size() - drop_bytes + bytes <= reconnect_.max_buffered_bytes;
  };
  if (fits()) return true;
  if (!reconnect_.drop_oldest || bytes > reconnect_.max_buffered_bytes) return false;
  while (drop_count < unanswered_.size() && !fits()) drop_bytes += unanswered_[drop_count++].bytes;
  for (std::size_t i = 0; i < drop_count; ++i) {
    dropped.push_back(std::move(unanswered_.front()));
    unanswered_.pop_front();
  }
  queued_.erase(0, drop_bytes);
  return true;
}

void redis_pipeline::fail_dropped(std::unique_lock<std::mutex>& lock, std::deque<pending_command>& dropped) {
  // flush() is told the bounds and why Redis is unreachable; a completion, less.
  const auto message = fmt::format("dropped from the buffer, which was full ({} messages, {} bytes at most), while "
                                   "Redis at {} was unreachable ({})",
                                   reconnect_.max_buffered_messages, reconnect_.max_buffered_bytes,
                                   endpoint_.describe(), last_connect_error_);
  const auto completion_message =
      fmt::format("dropped from the buffer, which was full, while Redis at {} was unreachable", endpoint_.describe());
  fail_commands(lock, dropped, errc::connection, message, dropped.size(), {}, &completion_message);
}

namespace {

// The lock is held for short moments (a producer appending a command, the I/O thread swapping the queue or
// matching a batch of replies): a thread that finds it held tries again for about a microsecond before sleeping
// on it. Sleeping costs two context switches and a wake-up syscall from the holder, more than the wait, and a
// batch of emits met it often: 200,000 `notify --stdin` lines made 14,400 context switches in 0.44 s; with the
// producer and the I/O thread spinning first, 7,300 in 0.36 s (perf stat, issue 21).
std::unique_lock<std::mutex> lock_spinning(std::mutex& mutex) {
  std::unique_lock lock(mutex, std::defer_lock);
  for (int i = 0; i < 64; ++i) {
    if (lock.try_lock()) return lock;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  lock.lock();
  return lock;
}

}  // namespace

void redis_pipeline::enqueue_command(std::string_view verb, std::string_view channel, std::string_view payload,
                                     std::span<const std::string> between, pending_command command, bool may_buffer,
                                     bool after_asking) {
  const bool buffering = may_buffer && reconnect_.max_buffered_messages > 0;
  command.bytes = resp_size(verb, channel, payload, between) + (after_asking ? asking_command.size() : 0);
  command.after_asking = after_asking;
  command.may_buffer = buffering;
  std::deque<pending_command> dropped;
  bool start_reconnecting = false;
  auto lock = lock_spinning(mutex_);
  for (;;) {
    if (state_ != connection_state::connected) {
      if (buffering && state_ == connection_state::reconnecting) {
        if (make_buffer_room(command.bytes, dropped)) break;
        const auto refused = fmt::format(
            "Redis at {} is unreachable ({}) and the buffer is full ({} messages, {} bytes): not queued",
            endpoint_.describe(), last_connect_error_, unanswered_.size(), queued_.size());
        lock.unlock();  // nothing was dropped: make_buffer_room drops only when the command then fits
        throw connection_error(refused);
      }
      lock.unlock();
      try {
        open_connection();
      } catch (const redis_error& e) {
        // Nothing was queued. Only an unreachable Redis is worth waiting for: a refused AUTH is the caller's to fix.
        if (!buffering || (e.code() != errc::connection && e.code() != errc::timeout)) throw;
        lock.lock();
        // Unreachable from the start (or again): from now on the I/O thread reconnects and this buffers.
        if (state_ == connection_state::disconnected) {
          set_state(lock, connection_state::reconnecting);
          last_connect_error_ = e.what();
          disconnected_since_ = clock::now();
          start_reconnecting = true;
        }
        continue;
      }
      lock.lock();
      continue;
    }
    if (queued_.size() < limits_.max_queued_bytes && unanswered_.size() < limits_.max_unanswered) break;
    ++producers_waiting_;
    space_cv_.wait(lock);  // the I/O thread makes room, or the connection breaks (then buffer or reconnect above)
    --producers_waiting_;
  }
  // An idle pipeline (nothing queued, unsent or unanswered) sends from this thread at once: a lone notification
  // then costs no hand-off to the I/O thread, which only reads the reply. Under load commands are always in
  // flight, so they queue and go out in the I/O thread's batches. Plain sockets only: a TLS session is the I/O
  // thread's alone.
  const bool idle = state_ == connection_state::connected && direct_send_ && unanswered_.empty() && queued_.empty() &&
                    !io_unsent_;
  if (after_asking) queued_.append(asking_command);
  append_resp_count(queued_, '*', 3 + between.size());
  append_bulk(queued_, verb);
  append_bulk(queued_, channel);
  for (const auto& arg : between) append_bulk(queued_, arg);
  append_bulk(queued_, payload);
  if (idle) {
    const auto sent = connection_->stream().write_some(queued_.data(), queued_.size());
    if (sent.state == io_result::status::ok) queued_.erase(0, sent.bytes);  // the rest, if any, is the I/O thread's
  }
  auto& pending = unanswered_.emplace_back(std::move(command));
  verb.copy(pending.verb.data(), std::min(verb.size(), pending.verb.size() - 1));
  ++queued_total_;
  // A sleeping I/O thread that still awaits replies wakes up when they come and then sends this too: waking it
  // now would cost a syscall and a context switch per emit and shrink its batches. Only an I/O thread with
  // nothing else to wake it needs the eventfd.
  const bool wake = (io_waiting_ && unanswered_.size() == 1) || start_reconnecting;
  if (wake) io_waiting_ = false;
  if (dropped.empty())
    lock.unlock();
  else
    fail_dropped(lock, dropped);
  if (wake) wake_io_thread();
}

void redis_pipeline::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto target = queued_total_;
  if (!settled_cv_.wait_for(lock, timeout, [&] { return settled_total_ >= target; })) {
    const auto why = state_ != connection_state::reconnecting
                         ? std::string()
                         : fmt::format(" (Redis has been unreachable for {} ms: {})",
                                       std::chrono::duration_cast<std::chrono::milliseconds>(
                                           clock::now() - disconnected_since_).count(),
                                       last_connect_error_);
    throw timeout_error(fmt::format("flush: {} command(s) to Redis at {} still unanswered after {} ms{}",
                                    target - settled_total_, endpoint_.describe(), timeout.count(), why));
  }
  const auto failures = std::exchange(unreported_, {});
  lock.unlock();
  failures.throw_if_any();
}

pipeline_counters redis_pipeline::counters() const {
  std::lock_guard lock(mutex_);
  return {queued_total_, acknowledged_total_, failed_total_, static_cast<std::size_t>(queued_total_ - settled_total_),
          connections_opened_ == 0 ? 0 : connections_opened_ - 1};
}

void unreported_failures::record(errc code, const std::string& message) {
  ++count_;
  if (!first_) first_.emplace(code, message);
}

void unreported_failures::throw_if_any() const {
  if (count_ == 0) return;
  const auto& [code, message] = *first_;
  throw_redis_error(code, count_ == 1
                              ? message
                              : fmt::format("{} publishes failed since the last flush; the first: {}", count_, message));
}

void redis_pipeline::fail_commands(std::unique_lock<std::mutex>& lock, std::deque<pending_command>& failed, errc code,
                                   const std::string& message, std::size_t sent_count,
                                   std::unique_ptr<redis_connection> closing, const std::string* completion_message) {
  failed_total_ += failed.size();
  for (const auto& command : failed)
    if (!command.reported()) unreported_.record(code, message);
  const bool producers_waiting = producers_waiting_ != 0;
  lock.unlock();
  if (producers_waiting) space_cv_.notify_all();  // to buffer, reconnect or throw instead of waiting for room
  closing.reset();
  const auto& told = completion_message != nullptr ? *completion_message : message;
  for (std::size_t i = 0; i < failed.size(); ++i)
    if (failed[i].reported()) failed[i].complete(code, told, {}, i < sent_count);
  settle(failed.size());
}

void redis_pipeline::fail_everything(errc code, const std::string& message, bool sent) {
  std::deque<pending_command> failed;
  std::unique_lock lock(mutex_);
  failed.swap(unanswered_);
  queued_.clear();
  // Reconnecting (the buffer given up) it stays so; a connection open is closed.
  std::unique_ptr<redis_connection> closing;
  if (state_ == connection_state::connected) closing = set_state(lock, connection_state::disconnected);
  fail_commands(lock, failed, code, message, sent ? failed.size() : 0, std::move(closing));
}

void redis_pipeline::connection_lost(errc code, const std::string& message, std::string_view unsent) {
  if (reconnect_.max_buffered_messages == 0) {
    fail_everything(code, message);
    return;
  }
  std::deque<pending_command> failed;
  std::unique_lock lock(mutex_);
  // The newest commands whose bytes were all still unsent stay, in order, for the next connection; the others
  // were sent, wholly or partly, and Redis may have run them: they fail rather than risk running twice.
  const std::size_t unsent_total = unsent.size() + queued_.size();
  std::size_t kept = 0;
  std::size_t kept_bytes = 0;
  for (auto it = unanswered_.rbegin(); it != unanswered_.rend() && kept_bytes + it->bytes <= unsent_total; ++it) {
    kept_bytes += it->bytes;
    ++kept;
  }
  std::string all_unsent;
  all_unsent.reserve(unsent_total);
  all_unsent.append(unsent).append(queued_);
  while (unanswered_.size() > kept) {
    failed.push_back(std::move(unanswered_.front()));
    unanswered_.pop_front();
  }
  const std::size_t sent_count = failed.size();  // the rest of `failed`, added below, never left this process
  // A kept command whose caller waits for its reply (emit_sync, a request) fails too: it must not wait for
  // Redis to come back. The others keep their bytes, in order.
  queued_.clear();
  std::size_t offset = unsent_total - kept_bytes;
  std::deque<pending_command> buffered;
  for (auto& command : unanswered_) {
    const std::size_t bytes = command.bytes;
    if (command.may_buffer) {
      queued_.append(all_unsent, offset, bytes);
      buffered.push_back(std::move(command));
    } else {
      failed.push_back(std::move(command));
    }
    offset += bytes;
  }
  unanswered_.swap(buffered);
  auto closing = set_state(lock, connection_state::reconnecting);
  last_connect_error_ = message;
  disconnected_since_ = clock::now();
  fail_commands(lock, failed, code, message, sent_count, std::move(closing));
}

bool redis_pipeline::reconnect_step(unsigned& attempt, std::optional<clock::time_point>& give_up_at) {
  auto delay = sio::backoff_delay(reconnect_.base_delay, reconnect_.max_delay, attempt);  // sio/backoff.hpp
  if (give_up_at)
    delay = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*give_up_at - clock::now()),
                       std::chrono::milliseconds(0), delay);
  pollfd wake{wake_fd_, POLLIN, 0};
  if (::poll(&wake, 1, static_cast<int>(delay.count())) > 0) {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(wake_fd_, &count, sizeof count);
  }
  {
    std::lock_guard lock(mutex_);
    if (state_ == connection_state::connected) {  // a caller connected meanwhile
      attempt = 0;
      return true;
    }
    if (stopping_) {
      if (unanswered_.empty()) return false;
      // Destroyed while Redis is away: the buffered commands get the command timeout to go out, then fail.
      if (!give_up_at) give_up_at = clock::now() + command_timeout_;
    }
  }
  if (reconnect_.give_up_buffered_after.count() > 0) {
    bool give_up = false;
    std::string why;
    {
      std::lock_guard lock(mutex_);
      if (!unanswered_.empty() && clock::now() - disconnected_since_ >= reconnect_.give_up_buffered_after) {
        give_up = true;
        why = last_connect_error_;
        disconnected_since_ = clock::now();  // what is buffered from now on gets its own wait
      }
    }
    if (give_up)
      fail_everything(errc::connection,
                      fmt::format("not sent: Redis at {} has been unreachable for {} ms ({})", endpoint_.describe(),
                                  reconnect_.give_up_buffered_after.count(), why),
                      false);
  }
  if (give_up_at && clock::now() >= *give_up_at) {
    std::string why;
    {
      std::lock_guard lock(mutex_);
      why = last_connect_error_;
    }
    fail_everything(errc::connection,
                    fmt::format("the emitter was destroyed while Redis at {} was unreachable ({})",
                                endpoint_.describe(), why));
    return false;
  }
  try {
    open_connection();
    attempt = 0;
  } catch (const redis_error& e) {
    std::lock_guard lock(mutex_);
    last_connect_error_ = e.what();
    ++attempt;
  }
  return true;
}

void redis_pipeline::settle(std::size_t count) {
  // Counted only after the completions ran, so that a flush() that returns has seen every one of them.
  {
    const auto lock = lock_spinning(mutex_);
    settled_total_ += count;
  }
  settled_cv_.notify_all();
}

void redis_pipeline::run() {
  std::string writing;  // taken from queued_ in one swap; both keep their capacity
  std::size_t written = 0;
  byte_stream* stream = nullptr;  // the current connection's, while connected
  redis_connection* current = nullptr;
  // TLS may need the other direction to go on: a write that waits for a read, a read that waits for a write.
  bool write_wants_read = false;
  bool read_wants_write = false;
  reader_ptr reader;
  std::vector<redis_reply> replies;
  std::vector<pending_command> answered;
  std::vector<redis_reply> answers;  // answered[i]'s reply
  std::array<char, 64 * 1024> input{};
  auto last_progress = clock::now();

  const auto lost = [&](errc code, const std::string& message) {
    connection_lost(code, message, std::string_view(writing).substr(written));
    writing.clear();
    written = 0;
    // Forget the connection here: the next one may be allocated at the same address (and get the same fd), and
    // must still get a fresh reply reader, not the broken connection's half-read reply.
    current = nullptr;
    stream = nullptr;
  };
  // OpenSSL writes with write(2): a server that went away must be an error here, not a SIGPIPE that kills the
  // process. This thread is the library's own, so SIGPIPE stays blocked in it (any pending one dies with it).
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
  unsigned reconnect_attempt = 0;
  std::optional<clock::time_point> give_up_at;

  for (;;) {
    bool must_reconnect = false;
    {
      std::lock_guard lock(mutex_);
      must_reconnect = state_ == connection_state::reconnecting;
      if (must_reconnect && stopping_ && unanswered_.empty()) return;
    }
    if (must_reconnect) {
      if (!reconnect_step(reconnect_attempt, give_up_at)) return;
      continue;
    }

    bool unanswered = false;
    {
      const auto lock = lock_spinning(mutex_);
      if (state_ != connection_state::connected) {
        writing.clear();
        written = 0;
        current = nullptr;
        stream = nullptr;
      } else if (connection_.get() != current) {
        current = connection_.get();
        stream = &current->stream();
        write_wants_read = false;
        read_wants_write = false;
        reader.reset(redisReaderCreate());
        writing.clear();
        written = 0;
      }
      if (written == writing.size()) {
        writing.clear();
        written = 0;
        if (state_ == connection_state::connected && !queued_.empty()) {
          writing.swap(queued_);
          if (producers_waiting_ != 0) space_cv_.notify_all();
        }
      }
      io_unsent_ = written < writing.size();
      unanswered = !unanswered_.empty();
      if (stopping_ && !unanswered) return;
      if (!unanswered) last_progress = clock::now();  // the command timeout runs only while replies are due
    }

    bool progressed = false;
    if (stream != nullptr && written < writing.size()) {
      const auto result = stream->write_some(writing.data() + written, writing.size() - written);
      write_wants_read = result.state == io_result::status::want_read;
      if (result.state == io_result::status::ok) {
        written += result.bytes;
        progressed = true;
      } else if (result.state == io_result::status::tls_failed) {
        lost(errc::tls, result.error);
        continue;
      } else if (result.state != io_result::status::want_read && result.state != io_result::status::want_write) {
        lost(errc::connection, fmt::format("lost the connection to Redis at {} while writing: {}",
                                           endpoint_.describe(),
                                           result.state == io_result::status::closed ? "closed by the server"
                                                                                      : result.error));
        continue;
      }
    }

    if (stream != nullptr) {
      const auto result = stream->read_some(input.data(), input.size());
      read_wants_write = result.state == io_result::status::want_write;
      if (result.state == io_result::status::closed) {
        lost(errc::connection, fmt::format("lost the connection to Redis at {}: closed by the server",
                                           endpoint_.describe()));
        continue;
      }
      if (result.state == io_result::status::tls_failed) {
        lost(errc::tls, result.error);
        continue;
      }
      if (result.state == io_result::status::failed) {
        lost(errc::connection, fmt::format("lost the connection to Redis at {} while reading: {}",
                                           endpoint_.describe(), result.error));
        continue;
      }
      if (result.state == io_result::status::ok) {
        progressed = true;
        last_progress = clock::now();
        if (redisReaderFeed(reader.get(), input.data(), result.bytes) != REDIS_OK) {
          lost(errc::protocol, fmt::format("unreadable reply from Redis at {}: {}", endpoint_.describe(),
                                           reader->errstr));
          continue;
        }
        replies.clear();
        bool unreadable = false;
        for (;;) {
          void* raw = nullptr;
          if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
            unreadable = true;
            break;
          }
          if (raw == nullptr) break;
          const std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw), freeReplyObject);
          try {
            replies.push_back(to_redis_reply(*owned));
          } catch (const std::exception&) {  // a reply type hiredis knows and we do not: out of step from here on
            unreadable = true;
            break;
          }
        }
        if (unreadable) {
          lost(errc::protocol, fmt::format("unreadable reply from Redis at {}: {}", endpoint_.describe(),
                                           reader->errstr));
          continue;
        }
        if (!replies.empty()) {
          // Match replies to commands under the lock; run completions after it, outside. ASKING's +OK is
          // dropped: the command after it owns the next reply.
          answered.clear();
          answers.clear();
          bool stray = false;
          bool demoted = false;  // a READONLY reply: a failover demoted this server to a replica
          {
            const auto lock = lock_spinning(mutex_);
            for (auto& reply : replies) {
              if (unanswered_.empty()) {
                stray = true;
                break;
              }
              auto& front = unanswered_.front();
              if (front.after_asking) {
                front.after_asking = false;
                continue;
              }
              answered.push_back(std::move(front));
              unanswered_.pop_front();
              if (reply.kind != redis_reply::type::error) {
                ++acknowledged_total_;
              } else {
                ++failed_total_;
                demoted = demoted || reply.text.starts_with("READONLY");
                if (const auto& command = answered.back(); !command.reported()) {
                  auto message = error_reply_message(command.verb_name(), reply.text, acl_user_of(endpoint_));
                  unreported_.record(classify_error_reply(reply.text), message);
                }
              }
              answers.push_back(std::move(reply));
            }
            if (producers_waiting_ != 0) space_cv_.notify_all();
          }
          for (std::size_t i = 0; i < answered.size(); ++i) {
            if (!answered[i].reported()) continue;
            if (answers[i].kind == redis_reply::type::error) {
              const errc code = classify_error_reply(answers[i].text);
              auto message = error_reply_message(answered[i].verb_name(), answers[i].text, acl_user_of(endpoint_));
              answered[i].complete(code, std::move(message), std::move(answers[i]));
            } else {
              answered[i].complete(errc::ok, {}, std::move(answers[i]));
            }
          }
          settle(answered.size());
          if (stray) {
            lost(errc::protocol, fmt::format("Redis at {} sent more replies than commands", endpoint_.describe()));
            continue;
          }
          // The commands after it would be refused too: reconnect, to the master (redis+sentinel:// asks
          // the sentinels again; a DNS name may now lead elsewhere). The refused ones were reported failed above.
          if (demoted) {
            lost(errc::connection, fmt::format("Redis at {} is a read-only replica now (READONLY): reconnecting to "
                                               "the master", endpoint_.describe()));
            continue;
          }
        }
      }
    }
    if (progressed) continue;
    // Decrypted bytes OpenSSL already holds are invisible to poll(): read them first.
    if (stream != nullptr && stream->has_buffered_input()) continue;

    // Nothing to do right now: sleep until the socket is ready, a caller queues more or connects, or the
    // timeout is due.
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && unanswered_.empty()) return;
      if (state_ == connection_state::connected &&
          (connection_.get() != current || (written == writing.size() && !queued_.empty())))
        continue;
      // A caller may have sent a command itself since the top of this round (the idle path of enqueue), seeing
      // this thread awake and so not waking it: its reply is due now, and so is its timeout.
      if (!unanswered && !unanswered_.empty()) {
        unanswered = true;
        last_progress = clock::now();
      }
      io_waiting_ = true;
    }
    int wait_ms = -1;
    if (unanswered && stream != nullptr) {
      const auto due = last_progress + command_timeout_;
      const auto now = clock::now();
      if (now >= due) {
        std::string verb;
        {
          std::lock_guard lock(mutex_);
          if (!unanswered_.empty()) verb = unanswered_.front().verb_name();
        }
        lost(errc::timeout, fmt::format("Redis did not answer within {} ms ({} on {})", command_timeout_.count(),
                                        verb, endpoint_.describe()));
        continue;
      }
      wait_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
    }
    std::array<pollfd, 2> fds{};
    fds[0] = {wake_fd_, POLLIN, 0};
    const bool wants_write = (written < writing.size() && !write_wants_read) || read_wants_write;
    fds[1] = {stream != nullptr ? stream->fd() : -1, static_cast<short>(POLLIN | (wants_write ? POLLOUT : 0)), 0};
    const int ready = ::poll(fds.data(), stream != nullptr ? 2 : 1, wait_ms);
    if (ready > 0 && (fds[0].revents & POLLIN) != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto n = ::read(wake_fd_, &count, sizeof count);
    }
    {
      std::lock_guard lock(mutex_);
      io_waiting_ = false;
    }
    // Asleep with nothing due: the timeout of what was queued meanwhile starts now, not before the sleep.
    if (!unanswered) last_progress = clock::now();
  }
}

}  // namespace sio::detail
