// sio/backoff.hpp: the one backoff rule of sio, for applications that retry on their own. The library reconnects
// to Redis with it (Options::reconnect_delay, max_reconnect_delay), `notify --retry` waits with it between
// attempts, and sio-gateway reconnects its Redis subscriber with it.
//
// Exponential backoff with full jitter (the AWS Architecture Blog's "Exponential Backoff And Jitter"): before
// retry `attempt` (0 for the first), wait a uniformly random time in [0, backoff_bound(base, cap, attempt)], where
// the bound is base * 2^attempt, at most max(cap, base). Processes that lost Redis together spread out instead of
// coming back at the same instant.
#pragma once

#include <chrono>

#include "sio/export.hpp"

namespace sio {

// min(max(cap, base), base * 2^attempt), with base at least 1 ms; never overflows, however large `attempt` is.
SIO_API std::chrono::milliseconds backoff_bound(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                                unsigned attempt) noexcept;

// A uniformly random delay in [0, backoff_bound(base, cap, attempt)], drawn from a generator of the calling thread.
SIO_API std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                                unsigned attempt);

}  // namespace sio
