#include "fallback.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <system_error>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace notify {
namespace {

std::string error_text(int error) { return std::generic_category().message(error); }

fallback_outcome cannot_run(std::string why) { return {fallback_outcome::ending::cannot_run, 0, std::move(why)}; }

class unique_fd {
 public:
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// posix_spawn's two option objects, destroyed whatever happens.
struct spawn_settings {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attributes{};

  spawn_settings() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  spawn_settings(const spawn_settings&) = delete;
  spawn_settings& operator=(const spawn_settings&) = delete;
  ~spawn_settings() {
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
  }
};

// notify's environment with the command's names replaced or removed.
std::vector<std::string> child_environment(const fallback_command& command) {
  const auto replaced = [&](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('='));
    return std::any_of(command.environment.begin(), command.environment.end(),
                       [&](const auto& added) { return added.first == name; });
  };
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!replaced(*entry)) entries.emplace_back(*entry);
  }
  for (const auto& [name, value] : command.environment) {
    if (value) entries.push_back(name + "=" + *value);
  }
  return entries;
}

// The NULL-terminated array exec wants; the strings must outlive it.
std::vector<char*> c_array(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Writes `data` to the command's stdin. A command may exit without reading it (EPIPE): that is its business,
// and the SIGPIPE it raises must not kill notify, so this thread blocks it and takes it back.
void write_input(int fd, std::string_view data) {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t previous_mask;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous_mask);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;

  bool broken_pipe = false;
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      broken_pipe = errno == EPIPE;
      break;  // the command closed its stdin (or it cannot be written): it still runs and decides the outcome
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  if (broken_pipe && !was_pending) {
    const timespec no_wait{};
    sigtimedwait(&pipe_only, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
}

// The child starts with SIGPIPE at its default and nothing blocked, whatever notify's threads changed.
void reset_signals(posix_spawnattr_t& attributes) {
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

}  // namespace

fallback_outcome run_fallback(const fallback_command& command) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return cannot_run(error_text(errno));
  unique_fd read_end(ends[0]);
  unique_fd write_end(ends[1]);

  spawn_settings settings;
  posix_spawn_file_actions_adddup2(&settings.actions, read_end.get(), STDIN_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // Not the Redis connections or anything else notify holds open: a long-running command would keep them.
  posix_spawn_file_actions_addclosefrom_np(&settings.actions, STDERR_FILENO + 1);
#endif
  reset_signals(settings.attributes);

  std::vector<std::string> arguments{"sh", "-c", command.shell_command};
  std::vector<std::string> environment = child_environment(command);
  const std::vector<char*> argv = c_array(arguments);
  const std::vector<char*> envp = c_array(environment);

  // What notify printed so far must come before the command's own output.
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, "/bin/sh", &settings.actions, &settings.attributes, argv.data(), envp.data());
  if (spawned != 0) return cannot_run("/bin/sh: " + error_text(spawned));
  read_end.reset();
  write_input(write_end.get(), command.input);
  write_end.reset();  // end of its input

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return cannot_run("waiting for it: " + error_text(errno));
  }
  if (WIFSIGNALED(status)) return {fallback_outcome::ending::killed, WTERMSIG(status), {}};
  return {fallback_outcome::ending::exited, WEXITSTATUS(status), {}};
}

}  // namespace notify
