#include "batch.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "line_reader.hpp"
#include "operation.hpp"
#include "operation_resolver.hpp"
#include "output.hpp"
#include "retry.hpp"
#include "sio/emitter.hpp"

namespace notify {
namespace {

using steady = std::chrono::steady_clock;

// Blank lines and lines whose first non-blank character is '#' are not operations.
bool skipped(std::string_view text) {
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r') continue;
    return c == '#';
  }
  return true;
}

// A completion carries its line number and the index of its namespace in one word (lines < 2^48).
constexpr unsigned nsp_shift = 48;
constexpr std::uint64_t line_mask = (std::uint64_t{1} << nsp_shift) - 1;
constexpr std::uint64_t pack(std::uint64_t line, std::uint16_t nsp) { return line | (std::uint64_t{nsp} << nsp_shift); }

struct batch_counts {
  std::uint64_t lines = 0;          // operations read: every line but blank and comment lines
  std::uint64_t sent = 0;           // acknowledged by Redis (dry run: valid)
  std::uint64_t invalid = 0;        // bad lines: nothing published
  std::uint64_t not_published = 0;  // Redis failed the publish: error reply, lost connection, no reply in time
  std::uint64_t no_receivers = 0;   // sent, but 0 subscriptions got it
  std::uint64_t stream_entries = 0; // sent as XADD (streams mode): read by the servers, no receivers counted
  std::uint64_t retried = 0;        // --retry: lines sent again after a lost connection (counted once in `sent`)
  long long receivers = 0;          // summed over the sent lines
  std::uint64_t first_no_receivers_line = 0;
  std::string first_no_receivers_nsp;
  // How the publishes failed, when they all failed alike (else empty): nothing sent and one Redis failure for
  // everything exits as the one-shot would.
  std::optional<sio::errc> publish_failure;
  bool publish_failures_differ = false;

  std::uint64_t failed() const { return invalid + not_published; }
};

// Everything said about the lines goes through here, in line order, from whichever thread learns it: the main
// thread finds bad lines and runs the waited-for calls, the emitter's I/O thread runs the emits' completions
// (in the order the emits were queued). A bad line found while emits before it are in flight waits in
// `pending_` until the completion of the last of them. Consecutive lines failing with the same message are
// reported once ("lines 5-9: ..."), so a lost connection with thousands of publishes in flight is one line.
// A line to send again (--retry): its text and the timestamp its notification had, so the copy is the same.
struct resend {
  std::uint64_t line = 0;
  std::string text;
  std::int64_t now_ms = 0;
  int loading_refusals = 0;  // times Redis answered LOADING for it (restarted, reading its data back)
};

// "LOADING Redis is loading the dataset in memory": a Redis that just restarted refuses commands, without running
// them, until its data is read back (an AOF, an RDB). Worth sending again after a backoff.
bool loading_refusal(const sio::Outcome& outcome) {
  return outcome.code == sio::errc::reply &&
         (outcome.message.starts_with("LOADING ") || outcome.message.find(": LOADING ") != std::string::npos);
}

class batch_report {
 public:
  batch_report(const cli_options& options, std::string key, bool resending)
      : require_receivers_(options.require_receivers && !options.dry_run), key_(std::move(key)),
        resending_(resending), max_loading_refusals_(std::max(options.retries, 1)) {}

  bool resending() const noexcept { return resending_; }

  std::uint16_t nsp_index(const std::string& nsp) {
    const std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < namespaces_.size(); ++i) {
      if (namespaces_[i] == nsp) return static_cast<std::uint16_t>(i);
    }
    if (namespaces_.size() == 0xFFFF) return 0xFFFF;  // "a namespace": only said in messages
    namespaces_.push_back(nsp);
    return static_cast<std::uint16_t>(namespaces_.size() - 1);
  }

  // --- main thread
  void invalid(std::uint64_t line, std::string message) {
    const std::lock_guard lock(mutex_);
    ++counts_.invalid;
    if (completed_ == queued_) {  // nothing in flight: the bad lines waiting for earlier emits are due too
      print_pending(queued_);
      fail(line, message);
    } else {
      pending_.push_back({queued_, line, std::move(message)});
    }
  }
  // Around emit_args: its completion may run before emit_args returns. Resending (--retry): the line is kept until
  // its completion, which in queue order is the oldest kept.
  void queueing(resend* keep = nullptr) {
    if (resending_ && keep != nullptr) {
      const std::lock_guard lock(mutex_);
      in_flight_.push_back(std::move(*keep));
    }
    ++queued_;
  }
  void not_queued() {
    --queued_;
    if (resending_) {
      const std::lock_guard lock(mutex_);
      if (!in_flight_.empty()) in_flight_.pop_back();
    }
  }
  // The lines whose publish was lost with the connection since the last call, in line order.
  std::vector<resend> take_resends() {
    const std::lock_guard lock(mutex_);
    std::vector<resend> out;
    out.swap(resends_);
    return out;
  }
  bool has_resends() {
    const std::lock_guard lock(mutex_);
    return !resends_.empty();
  }
  // A line that could not be queued or waited for because Redis was away is sent again once it is back.
  void retrying() {
    const std::lock_guard lock(mutex_);
    ++counts_.retried;
  }

  // A waited-for call returned: every emit before it has completed.
  void waited(std::uint64_t line, std::uint16_t nsp, long long receivers) {
    const std::lock_guard lock(mutex_);
    print_pending(queued_);
    acknowledged(line, nsp, receivers);
  }
  void waited_failed(std::uint64_t line, const sio::error& e) {
    const std::lock_guard lock(mutex_);
    print_pending(queued_);
    not_published(e.code());
    fail(line, e.what());
  }
  void dry_run_valid() {
    const std::lock_guard lock(mutex_);
    ++counts_.sent;
  }
  // The line the run stopped at (Redis could not be reached for it): counted, as not published.
  void stopped_at(const sio::error& e) {
    const std::lock_guard lock(mutex_);
    not_published(e.code());
  }

  // After the last line: prints what waits. `unanswered` publishes (given up on) count as not published; the
  // completions that may still come are ignored.
  batch_counts finish(std::uint64_t lines, std::uint64_t unanswered) {
    const std::lock_guard lock(mutex_);
    print_pending(queued_ + 1);
    end_run();
    closed_ = true;
    counts_.lines = lines;
    if (unanswered != 0) {
      not_published(sio::errc::timeout);
      counts_.not_published += unanswered - 1;
    }
    return counts_;
  }

  // --- the I/O thread, in queue order
  void completed(std::uint64_t packed, const sio::Outcome& outcome) {
    const std::lock_guard lock(mutex_);
    if (closed_) return;
    print_pending(completed_);
    ++completed_;
    const std::uint64_t line = packed & line_mask;
    std::optional<resend> kept;
    if (resending_ && !in_flight_.empty()) {
      kept = std::move(in_flight_.front());
      in_flight_.pop_front();
    }
    // Lost with the connection (or no reply in time): Redis may or may not have run it. Sent again once Redis is
    // back: at least once, never lost.
    const bool lost = outcome.code == sio::errc::connection || outcome.code == sio::errc::timeout;
    const bool loading = loading_refusal(outcome) && kept && kept->loading_refusals < max_loading_refusals_;
    if (!outcome.ok() && kept && (lost || loading)) {
      if (loading) ++kept->loading_refusals;
      ++counts_.retried;
      resends_.push_back(std::move(*kept));
      return;
    }
    if (!outcome.ok()) {
      not_published(outcome.code);
      fail(line, outcome.message);
      return;
    }
    // An XADD (streams mode) reaches whoever reads the stream: no receivers to count.
    acknowledged(line, static_cast<std::uint16_t>(packed >> nsp_shift), outcome.offset.empty() ? outcome.receivers : -1);
  }

 private:
  struct bad_line {
    std::uint64_t emits_before;  // emits queued before it: it is reported after their outcomes
    std::uint64_t line;
    std::string message;
  };

  void not_published(sio::errc code) {
    ++counts_.not_published;
    if (!counts_.publish_failure) {
      counts_.publish_failure = code;
    } else if (*counts_.publish_failure != code) {
      counts_.publish_failures_differ = true;
    }
  }

  std::string nsp_name(std::uint16_t index) const {
    return index < namespaces_.size() ? namespaces_[index] : std::string("?");
  }

  // `receivers` < 0: not a publish that counts them (an XADD).
  void acknowledged(std::uint64_t line, std::uint16_t nsp, long long receivers) {
    ++counts_.sent;
    if (receivers < 0) ++counts_.stream_entries;
    if (receivers > 0) counts_.receivers += receivers;
    if (receivers == 0) {
      if (counts_.no_receivers++ == 0) {
        counts_.first_no_receivers_line = line;
        counts_.first_no_receivers_nsp = nsp_name(nsp);
      }
      if (require_receivers_) {
        fail(line, fmt::format("0 receivers: no Socket.IO server subscribes to key \"{}\", namespace \"{}\"", key_,
                               nsp_name(nsp)));
        return;
      }
    }
    end_run();
  }

  // Reports the bad lines found before emit number `emit` was queued.
  void print_pending(std::uint64_t emit) {
    while (!pending_.empty() && pending_.front().emits_before <= emit) {
      fail(pending_.front().line, pending_.front().message);
      pending_.pop_front();
    }
  }

  void fail(std::uint64_t line, std::string_view message) {
    if (run_open_ && message == run_message_) {
      run_last_ = line;
      return;
    }
    end_run();
    run_open_ = true;
    run_first_ = run_last_ = line;
    run_message_.assign(message);
  }

  void end_run() {
    if (!run_open_) return;
    run_open_ = false;
    if (run_first_ == run_last_) {
      fmt::print(stderr, "notify: line {}: {}\n", run_first_, run_message_);
    } else {
      fmt::print(stderr, "notify: lines {}-{}: {}\n", run_first_, run_last_, run_message_);
    }
  }

  const bool require_receivers_;
  const std::string key_;
  const bool resending_;
  const int max_loading_refusals_;  // --retry N: a line refused N times with LOADING fails
  std::mutex mutex_;
  std::deque<resend> in_flight_;  // resending: the lines queued and not completed, oldest first
  std::vector<resend> resends_;   // lost with the connection, to send again
  batch_counts counts_;
  std::uint64_t queued_ = 0;     // emits queued (main thread only: read under the lock by the main thread)
  std::uint64_t completed_ = 0;  // emits completed
  std::deque<bad_line> pending_;
  std::vector<std::string> namespaces_;
  bool closed_ = false;
  bool run_open_ = false;
  std::uint64_t run_first_ = 0;
  std::uint64_t run_last_ = 0;
  std::string run_message_;
};

// The completion of one emit: 16 trivially copyable bytes, so std::function keeps it without allocating.
struct emit_completion {
  batch_report* report;
  std::uint64_t packed;
  void operator()(const sio::Outcome& outcome) const { report->completed(packed, outcome); }
};

// Emitters and target operators reused from line to line: a namespace's Emitter, and the last
// except/volatile/compress combination of that namespace (usually the command line's, for every line).
class namespaces {
 public:
  namespaces(const sio::Emitter& root, batch_report& report) : root_(root), report_(report) {}

  struct entry {
    sio::Emitter emitter;
    std::uint16_t index;
    broadcast_base base;
  };

  entry& of(std::string_view nsp) {
    if (last_ != nullptr && last_name_ == nsp) return *last_;
    auto found = entries_.find(std::string(nsp));
    if (found == entries_.end()) {
      if (entries_.size() >= max_entries) entries_.clear();
      sio::Emitter emitter = root_.of(nsp);  // throws sio::data_error for a bad namespace
      const std::uint16_t index = report_.nsp_index(emitter.nsp());
      entry fresh{std::move(emitter), index, {}};
      found = entries_.emplace(std::string(nsp), std::move(fresh)).first;
    }
    last_name_.assign(nsp);
    last_ = &found->second;
    return *last_;
  }

 private:
  static constexpr std::size_t max_entries = 1024;
  const sio::Emitter& root_;
  batch_report& report_;
  std::unordered_map<std::string, entry> entries_;
  entry* last_ = nullptr;
  std::string last_name_;
};

// Why the run ended before the end of the input.
struct stop {
  std::uint64_t line;
  std::string message;
  exit_code code;
};

class batch_run {
 public:
  batch_run(const cli_options& options, operation_resolver& resolver, batch_report& report,
            const sio::Emitter& emitter, steady::time_point started)
      : options_(options), report_(report), emitter_(emitter), namespaces_(emitter, report), resolver_(resolver),
        started_(started) {}

  // Runs every line of `reader`; the reason when it had to stop early.
  std::optional<stop> run(line_reader& reader) {
    input_line line;
    for (;;) {
      if (auto stopped = run_resends()) return stopped;
      try {
        if (!reader.next(line)) return std::nullopt;
      } catch (const std::system_error& e) {
        return stop{line.number + 1, e.what(), exit_code::internal_error};
      }
      if (line.too_long) {
        ++lines_;
        report_.invalid(line.number, fmt::format("longer than {} MiB: skipped", line_reader::default_max_line >> 20));
        continue;
      }
      if (skipped(line.text)) continue;
      ++lines_;
      if (auto stopped = resolve_and_run(line.number, line.text, std::nullopt)) return stopped;
    }
  }

  // --retry: the lines lost with a connection, sent again (and those lost meanwhile, until none is left or Redis
  // stays away).
  std::optional<stop> run_resends() {
    if (!report_.resending()) return std::nullopt;
    for (auto batch = report_.take_resends(); !batch.empty(); batch = report_.take_resends()) {
      // Refused with LOADING: Redis is reading its data back; wait as --retry waits between attempts.
      int refusals = 0;
      for (const auto& r : batch) refusals = std::max(refusals, r.loading_refusals);
      if (refusals > 0) {
        const retry_policy policy = retry_policy::from(options_);
        const auto world = retry_world::real(options_.verbose);
        world.sleep(world.draw(backoff_bound(policy, refusals - 1)));
      }
      for (auto& r : batch)
        if (auto stopped = resolve_and_run(r.line, r.text, r.now_ms, r.loading_refusals)) return stopped;
    }
    return std::nullopt;
  }

  std::uint64_t lines() const { return lines_; }

 private:
  std::optional<stop> resolve_and_run(std::uint64_t line, std::string_view text, std::optional<std::int64_t> now_ms,
                                      int loading_refusals = 0) {
    // Resending: the line's default timestamp is fixed now, so that a copy sent again is the same notification.
    if (report_.resending() && !now_ms) now_ms = now_ms_since_epoch();
    try {
      resolver_.resolve(text, op_, now_ms);
    } catch (const sio::data_error& e) {
      report_.invalid(line, without_line_one(e.what()));
      return std::nullopt;
    }
    for (;;) {
      resend keep{line, report_.resending() ? std::string(text) : std::string(), now_ms.value_or(0), loading_refusals};
      auto outcome = run_line(line, keep);
      if (!outcome.lost) return std::move(outcome.stopped);
      // --retry: Redis went away under this line. Once it is back (the policy's attempts and backoff), the line
      // is sent again, and the run goes on.
      if (auto stopped = reconnect(line, *outcome.lost)) return stopped;
      report_.retrying();
    }
  }

  // Waits for Redis with the --retry policy (its deadline counted from the start of the run); a stop when it
  // stays away.
  std::optional<stop> reconnect(std::uint64_t line, const sio::redis_error& lost) {
    retry_policy policy = retry_policy::from(options_);
    if (policy.deadline) {
      const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started_);
      policy.deadline = std::max(std::chrono::milliseconds{1}, *policy.deadline - spent);
    }
    if (options_.verbose)
      fmt::print(stderr, "notify: line {}: {}; waiting for Redis (--retry)\n", line, lost.what());
    try {
      run_with_retry(policy, retry_world::real(options_.verbose), [this](std::chrono::milliseconds) {
        emitter_.connect();
        return exit_code::success;
      });
    } catch (const sio::redis_error& e) {
      report_.stopped_at(e);
      return stop{line, e.what(), exit_code_for(e)};
    }
    return std::nullopt;
  }

  struct line_outcome {
    std::optional<stop> stopped;
    std::optional<sio::redis_error> lost;  // --retry: Redis away, the line not sent: send it again once back
  };

  line_outcome run_line(std::uint64_t line, resend& keep) {
    const bool live = !options_.dry_run;
    // A waited-for call that fails may have been queued (its own failure) or not (Redis unreachable).
    const std::uint64_t queued_before = live && op_.cmd != command::emit ? emitter_.stats().queued : 0;
    std::optional<sio::Published> published;
    std::uint16_t nsp_index = 0;
    try {
      auto& target = namespaces_.of(op_.nsp);
      nsp_index = target.index;
      if (op_.cmd == command::emit && live) {
        report_.queueing(&keep);
        try {
          run_operation(target.emitter, op_, target.base, emit_completion{&report_, pack(line, nsp_index)});
        } catch (...) {
          report_.not_queued();
          throw;
        }
        return {};  // the completion reports it
      }
      published = run_operation(target.emitter, op_, target.base);
    } catch (const sio::data_error& e) {
      report_.invalid(line, e.what());
      return {};
    } catch (const sio::redis_error& e) {
      // Not queued: Redis cannot be reached (again) and nothing after this line can be sent either. (emit_args
      // throws a redis_error only then.) A waited-for call that was sent and lost its connection (--retry) is
      // sent again too: at least once.
      const bool not_sent = op_.cmd == command::emit || emitter_.stats().queued == queued_before;
      if (report_.resending() && transient(e) && (not_sent || e.code() == sio::errc::connection))
        return {std::nullopt, sio::redis_error(e.code(), e.what())};
      if (not_sent) {
        report_.stopped_at(e);
        return {stop{line, e.what(), exit_code_for(e)}, std::nullopt};
      }
      report_.waited_failed(line, e);
      return {};
    }
    if (!live) {
      print_published(*published, options_);
      report_.dry_run_valid();
    } else {
      report_.waited(line, nsp_index, published->receivers.value_or(-1));  // none: an XADD
    }
    return {};
  }

  const cli_options& options_;
  batch_report& report_;
  const sio::Emitter& emitter_;
  namespaces namespaces_;
  operation_resolver& resolver_;
  const steady::time_point started_;
  operation op_;
  std::uint64_t lines_ = 0;
};

// Waits for the queued publishes as long as Redis keeps answering. The pipeline itself fails a publish that gets
// no reply within --timeout (its completion reports the line), so each wait here is that budget twice: a
// backstop, which the pipeline's own timeout comes before. The number given up on (0 when all were answered).
std::uint64_t wait_for_replies(const sio::Emitter& emitter, std::chrono::milliseconds timeout,
                               std::optional<stop>& stopped) {
  std::size_t in_flight = emitter.stats().in_flight;
  for (;;) {
    try {
      emitter.flush(2 * timeout);
      return 0;
    } catch (const sio::timeout_error& e) {
      const std::size_t now = emitter.stats().in_flight;
      if (now < in_flight) {
        in_flight = now;
        continue;
      }
      if (!stopped) stopped = stop{0, e.what(), exit_code::timeout};
      return now;
    } catch (const sio::redis_error& e) {  // only completion-less commands report here: none are queued
      if (!stopped) stopped = stop{0, e.what(), exit_code_for(e)};
      return 0;
    }
  }
}

std::string plural(std::uint64_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

void print_summary(const batch_counts& c, const std::optional<stop>& stopped, bool dry_run, long long elapsed_ms,
                   bool text, bool json) {
  if (text) {
    std::string line = fmt::format("notify: {}: ", plural(c.lines, "line"));
    if (dry_run) {
      line += fmt::format("{} valid, {} invalid (dry run: nothing published)", c.sent, c.invalid);
    } else {
      const auto reached = c.stream_entries != 0 ? fmt::format("{} to the stream", c.stream_entries)
                                                 : plural(static_cast<std::uint64_t>(c.receivers), "receiver");
      line += fmt::format("{} sent ({}), {} failed ({} invalid, {} not published)", c.sent, reached, c.failed(),
                          c.invalid, c.not_published);
      if (c.no_receivers != 0) line += fmt::format(", {} with 0 receivers", c.no_receivers);
      if (c.retried != 0)
        line += fmt::format(", {} (Redis was lost under them: each sent at least once)", plural(c.retried, "retry"));
    }
    if (stopped) line += stopped->line != 0 ? fmt::format(", stopped at line {}", stopped->line) : ", stopped";
    line += fmt::format(", {} ms\n", elapsed_ms);
    fmt::print(stderr, "{}", line);
  }
  if (json) {
    std::string stopped_at = "null";
    if (stopped && stopped->line != 0) stopped_at = fmt::format("{}", stopped->line);
    fmt::print(
        "{{\"lines\":{},\"sent\":{},\"failed\":{},\"invalid\":{},\"not_published\":{},\"receivers\":{},"
        "\"no_receivers\":{},\"retried\":{},\"stopped_at_line\":{},\"dry_run\":{},\"elapsed_ms\":{}}}\n",
        c.lines, c.sent, c.failed(), c.invalid, c.not_published, c.receivers, c.no_receivers, c.retried, stopped_at,
        dry_run ? "true" : "false", elapsed_ms);
  }
}

// Fails fast, before reading anything, as the one-shot does. With --retry, until Redis answers: each attempt is a
// probe connection whose timeouts are cut to the deadline; the run's own connection keeps --timeout for every
// line, and is opened once a probe got through.
void connect_first(const sio::Emitter& emitter, const cli_options& options) {
  const retry_policy policy = retry_policy::from(options);
  if (policy.active()) {
    run_with_retry(policy, retry_world::real(options.verbose), [&options](std::chrono::milliseconds timeout) {
      cli_options probe = options;
      probe.timeout = timeout;
      make_emitter(probe).connect();
      return exit_code::success;
    });
  }
  emitter.connect();
}

}  // namespace

exit_code run_batch(const cli_options& options) {
  const auto started = steady::now();
  // Closed, fd 0 would be reused by the next file the process opens (the emitter's own eventfd).
  if (::fcntl(STDIN_FILENO, F_GETFD) < 0) throw usage_error("--stdin: standard input is closed");
  // The flags are every line's defaults: checked and parsed once, before anything else.
  check_user_flag(options);
  operation_resolver resolver(options, &now_ms_since_epoch);
  // Before the emitter, so destroyed after it: the emitter's destructor may still run completions (given up on)
  // that report into it.
  // --retry (or --deadline): a line lost with the connection is sent again once Redis is back.
  batch_report report(options, options.key, retry_policy::from(options).active() && !options.dry_run);
  const sio::Emitter emitter = make_emitter(options);
  if (!options.dry_run) connect_first(emitter, options);

  line_reader reader(STDIN_FILENO);
  batch_run run(options, resolver, report, emitter, started);
  std::optional<stop> stopped = run.run(reader);
  std::uint64_t unanswered = options.dry_run ? 0 : wait_for_replies(emitter, options.timeout, stopped);
  // --retry: what was lost at the end of the input is sent again, until nothing is left to send.
  while (!stopped && unanswered == 0 && report.has_resends()) {
    stopped = run.run_resends();
    if (!stopped) unanswered = wait_for_replies(emitter, options.timeout, stopped);
  }
  const batch_counts counts = report.finish(run.lines(), unanswered);

  if (stopped) {
    if (stopped->line != 0) {
      print_error(fmt::format("line {}: {} (stopped: line {} and the rest of the input were not sent)",
                              stopped->line, stopped->message, stopped->line));
    } else {
      print_error(fmt::format("{} ({} not published)", stopped->message, plural(unanswered, "line")));
    }
  }
  if (counts.no_receivers != 0 && !options.require_receivers && !options.dry_run) {
    const std::string which =
        counts.no_receivers == 1
            ? fmt::format("line {} had 0 receivers", counts.first_no_receivers_line)
            : fmt::format("{} lines had 0 receivers (the first: line {})", counts.no_receivers,
                          counts.first_no_receivers_line);
    print_warning(fmt::format("{}: no Socket.IO server subscribes to key \"{}\", namespace \"{}\"", which,
                              emitter.options().key, counts.first_no_receivers_nsp));
  }

  exit_code code = exit_code::success;
  if (stopped) {
    code = stopped->code;
  } else if (counts.sent == 0 && counts.invalid == 0 && counts.not_published != 0 &&
             !counts.publish_failures_differ) {
    // Nothing published, every line failed the same way at Redis: Redis is the problem, as for the one-shot.
    code = exit_code_for(sio::redis_error(*counts.publish_failure, ""));
  } else if (counts.failed() != 0) {
    code = exit_code::some_lines_failed;
  } else if (options.require_receivers && !options.dry_run && counts.no_receivers != 0) {
    code = exit_code::no_receivers;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started).count();
  print_summary(counts, stopped, options.dry_run, elapsed, options.verbose || code != exit_code::success,
                options.json_output);
  return code;
}

}  // namespace notify
