// confirm.hpp: emit --confirm (also --acks, --fallback): publish with delivery confirmation, wait for the
// servers, say how many sockets got the event, and run the fallback when none did.
#pragma once

#include "exit_codes.hpp"
#include "operation.hpp"
#include "options.hpp"
#include "sio/emitter.hpp"

namespace notify {

// Prints the outcome (stdout: the summary or --json; stderr: warnings, errors, -v) and returns the exit code.
// Throws sio::error subclasses, as a plain emit does.
// `op` is the resolved emit (operation_resolver.hpp); `options` say how to wait, report and fall back.
exit_code run_confirmed_emit(const sio::Emitter& namespace_emitter, const operation& op, const cli_options& options);

}  // namespace notify
