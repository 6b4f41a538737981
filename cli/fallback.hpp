// fallback.hpp: runs the --fallback command (/bin/sh -c CMD) for a notification no socket received, and waits
// for it. It inherits notify's stdout and stderr; its stdin is one line that notify writes and closes.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace notify {

struct fallback_command {
  std::string shell_command;  // given to /bin/sh -c
  std::string input;          // written to its standard input, which is then closed
  // Added to notify's environment; a name without a value is removed from it.
  std::vector<std::pair<std::string, std::optional<std::string>>> environment;
};

struct fallback_outcome {
  enum class ending { exited, killed, cannot_run };
  ending how = ending::cannot_run;
  int number = 0;     // the exit status, or the signal that killed it
  std::string error;  // cannot_run: why

  bool succeeded() const { return how == ending::exited && number == 0; }
};

// Flushes notify's own stdout first, so that what notify printed comes before what the command prints.
fallback_outcome run_fallback(const fallback_command& command);

}  // namespace notify
