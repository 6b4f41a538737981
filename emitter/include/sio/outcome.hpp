// sio/outcome.hpp: how a queued publish ended, for callers who want each result (sio::Completion).
#pragma once

#include <functional>
#include <string>

#include "sio/error.hpp"

namespace sio {

// How one queued emit ended.
struct Outcome {
  errc code = errc::ok;     // errc::ok: Redis accepted the publish
  long long receivers = 0;  // when ok: subscriptions that received it (Redis' integer reply; see Published); 0 in
                            // streams mode, where servers read the stream instead; for a classic PUBLISH on a
                            // Redis Cluster, the subscribers of one node only
  std::string message;      // otherwise: what failed
  std::string offset;       // streams mode, when ok: the stream entry's id (the clients' recovery offset)
  bool ok() const noexcept { return code == errc::ok; }
};

// Called once per emit, on the emitter's I/O thread, when Redis answered or the publish failed (in dry-run mode:
// at once, on the caller's thread, with receivers 0). It must return quickly and must not call into the emitter
// (emit or flush from a completion would wait on the very thread that runs it).
using Completion = std::function<void(const Outcome&)>;

}  // namespace sio
