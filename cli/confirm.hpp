// confirm.hpp: emit --confirm (also --acks, --fallback): publish with delivery confirmation, wait for the
// servers, say how many sockets got the event, and run the fallback when none did.
#pragma once

#include "exit_codes.hpp"
#include "options.hpp"
#include "sio/emitter.hpp"

namespace notify {

// Prints the outcome (stdout: the summary or --json; stderr: warnings, errors, -v) and returns the exit code.
// Throws sio::error subclasses, as a plain emit does.
exit_code run_confirmed_emit(const sio::Emitter& namespace_emitter, const cli_options& options);

}  // namespace notify
