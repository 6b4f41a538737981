// A real redis-server child process for integration tests, on a free loopback port, gone when the object dies.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sio::test {

struct redis_server_options {
  // Passed to redis-server after the defaults, e.g. {"--requirepass", "s3cret"} or
  // {"--enable-debug-command", "yes"}. A --requirepass given here is used by command() and subscribers.
  std::vector<std::string> extra_args;
  // Also listen on <temp dir>/redis.sock with --unixsocketperm 700.
  bool unix_socket = false;
  // Listen on this loopback port (to restart a server where clients expect it) instead of a free one.
  int port = 0;
  // When not empty: written to <temp dir>/redis.conf and given as the config file (before every other argument).
  // A sentinel ("--sentinel" in extra_args) needs one, and rewrites it.
  std::string config{};

  // Also listen for TLS (rediss://) on a second loopback port, with these PEM files (see test_certificates.hpp).
  // The plain port stays open for command() and subscribers.
  struct tls_files {
    std::string cert_file{};
    std::string key_file{};
    std::string ca_file{};                    // trusted for client certificates
    bool require_client_certificate = false;  // --tls-auth-clients yes
  };
  std::optional<tls_files> tls{};
  int tls_port = 0;  // with tls: this port instead of a free one
};

class redis_server {
 public:
  // Starts redis-server (from $SIO_REDIS_SERVER, else PATH) and waits until it answers PING. Throws
  // std::runtime_error with the tail of the server's log when it cannot start.
  explicit redis_server(redis_server_options options = {});
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  int port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  bool running() const noexcept { return pid_ > 0; }
  std::string url() const;                    // redis://127.0.0.1:<port>
  const std::string& unix_socket() const noexcept { return unix_socket_; }  // empty unless requested
  std::string unix_url() const;               // unix://<socket path>
  int tls_port() const noexcept { return tls_port_; }  // 0 unless options.tls
  std::string tls_url() const;                // rediss://127.0.0.1:<tls port>
  const std::optional<std::string>& password() const noexcept { return password_; }

  // Runs one command on a fresh connection (authenticated with the --requirepass, if any) and renders the reply:
  // integers in decimal, strings and statuses as is, nil as "(nil)", arrays one element a line. Throws
  // std::runtime_error for an error reply or an I/O failure.
  std::string command(const std::vector<std::string>& args) const;
  // Runs the commands in order on one connection (so SELECT applies to what follows); one rendering each.
  std::vector<std::string> commands(const std::vector<std::vector<std::string>>& list) const;

  // SIGTERM, then SIGKILL after 3 s; reaps the child. Idempotent.
  void stop() noexcept;
  // SIGKILL at once (a crash: nothing flushed, connections reset); reaps the child. Idempotent.
  void kill() noexcept;

  std::string log_tail(std::size_t max_lines = 20) const;

 private:
  bool try_start(const std::string& binary, const redis_server_options& options, std::string& failure);

  std::string temp_dir_;
  std::string log_path_;
  std::string unix_socket_;
  std::optional<std::string> password_;
  int port_ = 0;
  int tls_port_ = 0;
  pid_t pid_ = -1;
};

// A loopback port with nothing listening (bound to 127.0.0.1:0, then closed): connecting is refused.
int free_loopback_port();

// A listener whose accept queue is full and never drained, so a further connect() hangs until it times out.
class stalled_listener {
 public:
  stalled_listener();
  ~stalled_listener();
  stalled_listener(const stalled_listener&) = delete;
  stalled_listener& operator=(const stalled_listener&) = delete;
  int port() const noexcept { return port_; }

 private:
  int listen_fd_ = -1;
  std::vector<int> queued_fds_;
  int port_ = 0;
};

}  // namespace sio::test
