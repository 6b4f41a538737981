// Pipelined publishing over one Redis connection. Callers on any thread queue commands and return at once; one
// I/O thread writes everything queued in as few writes as it can and matches replies to commands in order, so
// no caller waits for a round trip unless it asks to (a completion, or flush()). A command queued while nothing
// is in flight is written by its caller directly (non-blocking), sparing a lone message the thread hand-off (plain
// connections only: a TLS session is used by the I/O thread alone).
//
// Every queued command ends exactly once: acknowledged by a Redis reply, or failed (error reply, lost connection,
// no reply within the command timeout). Failures of commands queued without a completion are counted and
// reported by the next flush(), never dropped silently.
//
// The connection is opened by the first caller that needs it (in that caller's thread, so connect errors are
// thrown to it). When it breaks, commands already sent fail (Redis may or may not have them); commands not yet
// sent stay queued, and, if buffering is on, the I/O thread reconnects with exponential backoff and full jitter
// while queued emits keep being buffered up to the bounds (then the overflow policy applies). Callers that wait
// for a reply never buffer: they connect themselves or throw.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "sio/internal/redis/command_completion.hpp"
#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/error.hpp"

namespace sio::detail {

// How one command ended: Redis' reply, or an error (code and message; the reply is then nil).
struct command_outcome {
  errc code = errc::ok;
  std::string message;
  redis_reply reply;
  bool sent = true;  // false: it failed before any of its bytes left this process, so resending cannot run it twice
};

// Called once when a command ends, on the I/O thread (command_completion.hpp: no allocation for small captures).
using command_completion = completion_function<const command_outcome&>;

// Opens one connection (connect, AUTH, SELECT) each time the pipeline (re)connects. Empty: to the pipeline's
// endpoint. redis+sentinel:// gives connect_to_master (sentinel.hpp), so a reconnect follows a failover.
using connection_opener = std::function<std::unique_ptr<redis_connection>()>;

// Failures of commands queued without a completion, kept for the next flush(): how many, and the first.
class unreported_failures {
 public:
  void record(errc code, const std::string& message);
  // Throws the first failure (its code; its message counting the others), if any. Call it on a copy taken out
  // under the owner's lock: it throws.
  void throw_if_any() const;

 private:
  std::uint64_t count_ = 0;
  std::optional<std::pair<errc, std::string>> first_;
};

struct pipeline_limits {
  // A caller queueing beyond either bound waits until the I/O thread catches up (backpressure, not loss).
  std::size_t max_queued_bytes = 8u << 20;  // written but not yet sent
  std::size_t max_unanswered = 1u << 18;    // queued or sent, reply not yet read
};

struct reconnect_policy {
  std::size_t max_buffered_messages = 0;  // 0: no buffering, a queued command while disconnected connects or throws
  std::size_t max_buffered_bytes = 0;
  bool drop_oldest = false;  // on overflow: drop the oldest buffered command, else refuse the new one
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5000};
  // 0: buffered commands wait for Redis as long as the pipeline lives. Otherwise, after this long unreachable they
  // fail as not sent (a Redis Cluster router then sends them to whichever node owns their slot by then).
  std::chrono::milliseconds give_up_buffered_after{0};
};

struct pipeline_counters {
  std::uint64_t queued = 0;        // commands accepted since the pipeline was made
  std::uint64_t acknowledged = 0;  // answered by Redis (error replies count as failed, not here)
  std::uint64_t failed = 0;        // error reply, lost connection or timeout
  std::size_t in_flight = 0;       // queued and not ended yet (completion not yet returned)
  std::uint64_t reconnects = 0;    // connections opened again after one broke
};

class redis_pipeline {
 public:
  redis_pipeline(redis_endpoint endpoint, std::chrono::milliseconds connect_timeout,
                 std::chrono::milliseconds command_timeout, reconnect_policy reconnect = {},
                 pipeline_limits limits = {}, connection_opener open = {});
  // Waits up to the command timeout for queued commands to be answered, then closes the connection.
  ~redis_pipeline();
  redis_pipeline(const redis_pipeline&) = delete;
  redis_pipeline& operator=(const redis_pipeline&) = delete;

  // Opens the connection now if none is open. Throws sio::connection_error, timeout_error or auth_error.
  void connect();

  // Queues `verb channel [between...] payload` (binary-safe; XADD has its trimming, id and first fields between).
  // `done`, when given, is called exactly once on the I/O thread
  // (it must not call back into this pipeline). Throws what connect() throws when no connection is open and
  // none can be made; the command is then not queued.
  // `may_buffer`: while Redis is unreachable the command waits in the buffer (if the policy has one) instead of
  // connecting in this thread; for callers that do not wait for its reply.
  void enqueue(std::string_view verb, std::string_view channel, std::string_view payload,
               command_completion done = {}, bool may_buffer = false, std::span<const std::string> between = {});

  // Queues `ASKING` and then the command, back to back on the same connection, with one completion for the
  // command: for a command a Redis Cluster node redirected with ASK (its slot is being moved to this node).
  void enqueue_after_asking(std::string_view verb, std::string_view channel, std::string_view payload,
                            std::span<const std::string> between, command_completion done);

  // Waits until every command queued before the call has ended (and its completion, if any, has returned). Throws sio::timeout_error if some have not
  // within `timeout`, else the first failure (code and message, with how many failed) among commands queued
  // without a completion since the previous flush.
  void flush(std::chrono::milliseconds timeout);

  pipeline_counters counters() const;

 private:
  struct pending_command {
    // None: the failure, if any, is reported by flush().
    command_completion done;
    std::array<char, 16> verb{};  // for messages ("PUBLISH failed: ..."), copied: callers' buffers are reused
    std::size_t bytes = 0;        // its RESP size: what stays unsent when a connection breaks is known by bytes
    bool may_buffer = false;      // may wait for a reconnect; a caller waiting for the reply must not
    bool after_asking = false;    // ASKING was written before it: the next reply is ASKING's, not this command's

    std::string_view verb_name() const noexcept { return verb.data(); }
    bool reported() const noexcept { return static_cast<bool>(done); }
    void complete(errc code, std::string message, redis_reply reply, bool sent = true);
  };

  // The connection's lifecycle, one value under mutex_, changed only by set_state(). Allowed transitions:
  //
  //   disconnected -> connected     a caller opened the connection (open_connection; or the I/O thread, when
  //                                 it gave the buffer up just as a caller connected: see fail_everything)
  //   disconnected -> reconnecting  a caller that may buffer could not connect: the I/O thread takes over
  //   connected    -> disconnected  the connection broke and nothing may be buffered (fail_everything)
  //   connected    -> reconnecting  the connection broke and buffering is on (connection_lost)
  //   reconnecting -> connected     the I/O thread (reconnect_step) or a caller opened the connection
  //
  // Never reconnecting -> disconnected: once the I/O thread reconnects it goes on until a connection opens
  // (giving up the buffer fails the buffered commands, not the reconnecting).
  enum class connection_state : unsigned char {
    disconnected,  // no connection; the next caller that needs one opens it in its own thread (the initial state)
    connected,     // connection_ is open: the I/O thread writes and reads it, an idle caller may write it directly
    reconnecting,  // Redis is unreachable: the I/O thread reconnects with backoff; callers that may buffer do,
                   // the others try to connect themselves (or throw)
  };
  static constexpr bool transition_allowed(connection_state from, connection_state to) noexcept {
    switch (from) {
      case connection_state::disconnected:
        return to == connection_state::connected || to == connection_state::reconnecting;
      case connection_state::connected:
        return to == connection_state::disconnected || to == connection_state::reconnecting;
      case connection_state::reconnecting:
        return to == connection_state::connected;
    }
    return false;
  }
  // `lock` holds mutex_. The one place state_ changes (a transition of the table above). connection_ is non-null
  // exactly while connected: entering connected installs `opened` (and notes whether callers may write it
  // directly); leaving connected returns the connection left, for the caller to close after unlocking.
  std::unique_ptr<redis_connection> set_state(const std::unique_lock<std::mutex>& lock, connection_state next,
                                              std::unique_ptr<redis_connection> opened = {});

  void enqueue_command(std::string_view verb, std::string_view channel, std::string_view payload,
                       std::span<const std::string> between, pending_command command, bool may_buffer,
                       bool after_asking = false);
  // mutex_ held, reconnecting: makes room for `bytes` more in the buffer per the overflow policy, moving dropped
  // commands (and their bytes) out to `dropped`; false when the command must be refused (nothing is dropped then).
  bool make_buffer_room(std::size_t bytes, std::deque<pending_command>& dropped);
  // `lock` holds mutex_: fails the commands make_buffer_room dropped (see fail_commands), releasing `lock`.
  void fail_dropped(std::unique_lock<std::mutex>& lock, std::deque<pending_command>& dropped);
  // The one way commands end in failure. `failed` were taken out of unanswered_ while `lock` (holding mutex_)
  // was held; still under it they are counted failed and those without a completion are recorded for flush()
  // with `message`. Then `lock` is released, producers waiting for room are woken, `closing` is closed, the
  // completions run (with `completion_message` if given, else `message`; outcome.sent for the first
  // `sent_count` of `failed`, which may have reached Redis) and the commands settle.
  void fail_commands(std::unique_lock<std::mutex>& lock, std::deque<pending_command>& failed, errc code,
                     const std::string& message, std::size_t sent_count,
                     std::unique_ptr<redis_connection> closing = {}, const std::string* completion_message = nullptr);

  void open_connection();                        // takes connect_mutex_
  // The I/O thread while reconnecting: one backoff sleep and one attempt. False when it must stop (destroyed,
  // and the buffer given up after the command timeout).
  bool reconnect_step(unsigned& attempt, std::optional<std::chrono::steady_clock::time_point>& give_up_at);
  void run();                                    // the I/O thread
  void settle(std::size_t count);  // `count` more commands ended and their completions ran
  // Fails every command queued or unanswered and drops their bytes; a connection open (a broken one, or one a
  // caller opened while the I/O thread gave the buffer up) is closed: connected -> disconnected. `sent`: whether
  // the commands failed may have reached Redis (false only when nothing was sent since they queued).
  void fail_everything(errc code, const std::string& message, bool sent = true);
  // The connection broke: commands sent (wholly or partly) fail; with buffering, those still in `unsent` (the
  // I/O thread's unsent bytes) and queued_ are kept for the next connection.
  void connection_lost(errc code, const std::string& message, std::string_view unsent);
  void wake_io_thread();

  const redis_endpoint endpoint_;
  const std::chrono::milliseconds connect_timeout_;
  const std::chrono::milliseconds command_timeout_;
  const reconnect_policy reconnect_;
  const pipeline_limits limits_;
  const connection_opener open_;  // empty: connect to endpoint_

  std::mutex connect_mutex_;  // one caller connects at a time; taken before mutex_

  mutable std::mutex mutex_;
  std::condition_variable space_cv_;    // producers waiting for room in the queue
  std::condition_variable settled_cv_;  // flush() waiting for replies
  connection_state state_ = connection_state::disconnected;  // only set_state() changes it
  std::unique_ptr<redis_connection> connection_;  // non-null exactly while connected (set_state)
  // The flags below are not the connection's lifecycle, so they are not in state_:
  // - direct_send_ is a property of the open connection (plain socket, not TLS), fixed when set_state() enters
  //   connected and read only while connected: callers may send on it themselves.
  // - stopping_ is the owner's request (the destructor), which holds in any state: the I/O thread then still
  //   drains what is unanswered, connected or reconnecting (it may even reconnect to send the buffer).
  // - io_waiting_ and io_unsent_ are where the I/O thread is in its loop, which it runs in every state.
  bool direct_send_ = false;
  bool stopping_ = false;
  bool io_waiting_ = false;  // the I/O thread sleeps in poll(): a producer must wake it
  bool io_unsent_ = false;   // the I/O thread holds bytes it has not sent: callers must not send around it
  std::string last_connect_error_;   // why the last (re)connect failed, for messages
  std::chrono::steady_clock::time_point disconnected_since_{};
  std::uint64_t connections_opened_ = 0;  // the first one is no reconnect
  std::string queued_;       // RESP bytes not yet taken by the I/O thread
  std::deque<pending_command> unanswered_;  // in order; front = the next reply's command
  std::uint64_t queued_total_ = 0;
  std::uint64_t settled_total_ = 0;
  std::uint64_t acknowledged_total_ = 0;
  std::uint64_t failed_total_ = 0;
  std::size_t producers_waiting_ = 0;
  unreported_failures unreported_;  // not yet reported by flush()

  int wake_fd_ = -1;  // eventfd
  std::thread io_thread_;
};

}  // namespace sio::detail
