// server_acks.hpp: `notify server-emit EVENT --acks`: emit to the servers' own listeners and collect the value
// each server acknowledges with (serverSideEmitWithAck).
#pragma once

#include "exit_codes.hpp"
#include "operation.hpp"
#include "options.hpp"
#include "sio/emitter.hpp"

namespace notify {

// Prints the answers that arrived (stdout: a summary line and one JSON line each, or --json) and returns 0 when
// every server answered, 6 when the timeout came first.
// `op` is the resolved server-emit (operation_resolver.hpp); `options` say how long to wait and how to report.
exit_code run_server_acks(const sio::Emitter& namespace_emitter, const operation& op, const cli_options& options);

}  // namespace notify
