// batch.hpp: `notify --stdin`, one operation per line of standard input (NDJSON), pipelined over one connection.
#pragma once

#include "exit_codes.hpp"
#include "options.hpp"

namespace notify {

// Reads standard input line by line and publishes each line's operation (see operation_resolver.hpp for the
// fields), emits queued without waiting (their outcomes come back through completions),
// join/leave/disconnect/server-emit waited for. A bad line or a failed publish is reported on stderr with its line
// number and the run goes on; Redis becoming unreachable stops it. Prints the summary (stderr with -v or on
// failure, stdout with --json).
//
// Throws, as the one-shot does, what fails before the first line is read: invalid default flags
// (sio::data_error), Redis unreachable at the start (sio::redis_error; with --retry, once the retries are
// exhausted).
exit_code run_batch(const cli_options& options);

}  // namespace notify
