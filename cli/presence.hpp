// presence.hpp: `notify sockets`: which sockets the target selects, as their servers describe them
// (fetchSockets), or only their ids (--ids: allSockets).
#pragma once

#include "exit_codes.hpp"
#include "operation.hpp"
#include "options.hpp"
#include "sio/emitter.hpp"

namespace notify {

// Prints the sockets (stdout: one line each, or --json; stderr: warnings, errors, -v) and returns the exit code:
// 0 when some were found, 9 when none and every server answered, 6 when none and some server did not.
// `op` is the resolved target (operation_resolver.hpp); `options` say how to report.
exit_code run_presence(const sio::Emitter& namespace_emitter, const operation& op, const cli_options& options);

}  // namespace notify
