// A token bucket (rate per second, burst capacity), driven by the caller's clock so that it is testable without
// waiting: one bucket per remote address limits how fast that address may open Engine.IO sessions.
#pragma once

#include <algorithm>
#include <chrono>

namespace sio::gateway::engineio {

struct token_bucket_limits {
  double rate = 0;   // tokens added per second; 0 = unlimited
  double burst = 1;  // capacity: how many may be taken at once after a quiet period
};

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  // A new bucket is full: an address seen for the first time may use its whole burst.
  token_bucket(const token_bucket_limits& limits, clock::time_point now) : tokens_{limits.burst}, last_{now} {}

  // Takes one token if there is one.
  bool try_take(const token_bucket_limits& limits, clock::time_point now) {
    refill(limits, now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // Takes `amount` tokens, into debt if need be (a message's bytes are spent once they are read); returns how long
  // until the debt is paid (zero when there is none): the time to wait before taking more.
  clock::duration take(const token_bucket_limits& limits, clock::time_point now, double amount) {
    refill(limits, now);
    tokens_ -= amount;
    if (tokens_ >= 0 || limits.rate <= 0) return clock::duration::zero();
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>{-tokens_ / limits.rate});
  }

  // How long until a token is available (zero if one is).
  clock::duration wait_for_token(const token_bucket_limits& limits, clock::time_point now) {
    refill(limits, now);
    if (tokens_ >= 1 || limits.rate <= 0) return clock::duration::zero();
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>{(1 - tokens_) / limits.rate});
  }

  // Full again: forgetting the bucket changes nothing for its address (a new one starts full).
  bool full(const token_bucket_limits& limits, clock::time_point now) const { return tokens_at(limits, now) >= limits.burst; }

  // When it was last refilled: the last time its address was seen.
  clock::time_point last_seen() const noexcept { return last_; }

 private:
  double tokens_at(const token_bucket_limits& limits, clock::time_point now) const {
    if (now <= last_) return tokens_;
    const double elapsed = std::chrono::duration<double>{now - last_}.count();
    return std::min(limits.burst, tokens_ + elapsed * limits.rate);
  }

  void refill(const token_bucket_limits& limits, clock::time_point now) {
    if (now <= last_) return;
    tokens_ = tokens_at(limits, now);
    last_ = now;
  }

  double tokens_;
  clock::time_point last_;
};

}  // namespace sio::gateway::engineio
