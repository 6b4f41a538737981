#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/hiredis_handle.hpp"

namespace sio::test {

namespace {

using namespace std::chrono_literals;

constexpr auto startup_limit = 5s;
constexpr auto shutdown_grace = 3s;
constexpr int start_attempts = 5;  // each on a fresh port, in case another process grabbed ours

std::string system_error_text(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string find_redis_server() {
  if (const char* override_path = std::getenv("SIO_REDIS_SERVER"); override_path != nullptr && *override_path)
    return override_path;
  const char* path_env = std::getenv("PATH");
  std::stringstream dirs(path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = (dir.empty() ? std::string(".") : dir) + "/redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error(
      "redis-server not found on PATH (install the redis-server package or set SIO_REDIS_SERVER to its path)");
}

std::string render(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_INTEGER: return std::to_string(reply.integer);
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_STRING: return std::string(reply.str, reply.len);
    case REDIS_REPLY_NIL: return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string lines;
      for (std::size_t i = 0; i < reply.elements; ++i) {
        if (i != 0) lines += '\n';  // not `"\n" + render(...)`: GCC 12's -O2 -Wrestrict false positive on it
        lines += render(*reply.element[i]);
      }
      return lines;
    }
    default: return "(unexpected reply type " + std::to_string(reply.type) + ")";
  }
}

std::string render_checked(const redisReply& reply, const std::vector<std::string>& args) {
  if (reply.type == REDIS_REPLY_ERROR)
    throw std::runtime_error("redis-server answered " + (args.empty() ? std::string() : args.front()) +
                             " with an error: " + std::string(reply.str, reply.len));
  return render(reply);
}

bool child_exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

namespace detail {

context_ptr connect_loopback(int port, const std::optional<std::string>& password, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  context_ptr context(redisConnectWithTimeout("127.0.0.1", port, tv));
  if (!context) throw std::runtime_error("hiredis could not allocate a context");
  if (context->err != 0)
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + context->errstr);
  if (password) {
    auto reply = run_command(*context, {"AUTH", *password});
    if (reply->type == REDIS_REPLY_ERROR)
      throw std::runtime_error("AUTH refused by 127.0.0.1:" + std::to_string(port) + ": " + reply->str);
  }
  return context;
}

reply_ptr run_command(redisContext& context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
    lengths.push_back(arg.size());
  }
  reply_ptr reply(static_cast<redisReply*>(
      redisCommandArgv(&context, static_cast<int>(args.size()), argv.data(), lengths.data())));
  if (!reply) throw std::runtime_error(std::string("redis-server command failed: ") + context.errstr);
  return reply;
}

}  // namespace detail

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(system_error_text("socket"));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const auto message = system_error_text("binding 127.0.0.1:0");
    ::close(fd);
    throw std::runtime_error(message);
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

redis_server::redis_server(redis_server_options options) {
  const auto binary = find_redis_server();
  for (std::size_t i = 0; i + 1 < options.extra_args.size(); ++i)
    if (options.extra_args[i] == "--requirepass") password_ = options.extra_args[i + 1];

  char dir_template[] = "/tmp/sio-redis-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error(system_error_text("mkdtemp"));
  temp_dir_ = dir_template;
  log_path_ = temp_dir_ + "/redis.log";
  if (options.unix_socket) unix_socket_ = temp_dir_ + "/redis.sock";

  std::string failure;
  for (int attempt = 0; attempt < start_attempts; ++attempt) {
    if (try_start(binary, options, failure)) return;
    // Only a lost race for the port is worth another try; anything else would fail the same way again.
    if (options.port != 0 || options.tls_port != 0 || log_tail().find("Address already in use") == std::string::npos)
      break;
  }
  const auto tail = log_tail();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
  throw std::runtime_error("cannot start " + binary + ": " + failure + "\n--- redis-server log ---\n" + tail);
}

bool redis_server::try_start(const std::string& binary, const redis_server_options& options, std::string& failure) {
  port_ = options.port != 0 ? options.port : free_loopback_port();
  std::vector<std::string> args{binary,         "--port",        std::to_string(port_), "--bind", "127.0.0.1",
                                "--save",       "",              "--appendonly",        "no",     "--daemonize",
                                "no",           "--dir",         temp_dir_};
  if (!options.config.empty()) {
    const auto config_path = temp_dir_ + "/redis.conf";
    std::ofstream(config_path, std::ios::trunc) << options.config;
    args.insert(args.begin() + 1, config_path);  // redis-server wants the file first
  }
  if (!unix_socket_.empty()) args.insert(args.end(), {"--unixsocket", unix_socket_, "--unixsocketperm", "700"});
  if (options.tls) {
    tls_port_ = options.tls_port != 0 ? options.tls_port : free_loopback_port();
    args.insert(args.end(), {"--tls-port", std::to_string(tls_port_), "--tls-cert-file", options.tls->cert_file,
                             "--tls-key-file", options.tls->key_file, "--tls-ca-cert-file", options.tls->ca_file,
                             "--tls-auth-clients", options.tls->require_client_certificate ? "yes" : "no"});
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    failure = system_error_text("fork");
    return false;
  }
  if (child == 0) {
    // Only async-signal-safe calls between fork and exec. The server dies with the test process, even on a crash.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::close_range(3, ~0U, 0);  // no inherited client sockets that would keep connections alive
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    constexpr char exec_failed[] = "exec of redis-server failed\n";
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, exec_failed, sizeof exec_failed - 1);
    ::_exit(127);
  }
  pid_ = child;

  const auto deadline = std::chrono::steady_clock::now() + startup_limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_exited(pid_)) {
      pid_ = -1;
      failure = "redis-server on port " + std::to_string(port_) + " exited during startup";
      return false;
    }
    try {
      auto context = detail::connect_loopback(port_, std::nullopt, 200ms);
      auto reply = detail::run_command(*context, {"PING"});
      // NOAUTH also proves the server is up: it just wants the --requirepass first.
      if (reply->type == REDIS_REPLY_STATUS ||
          (reply->type == REDIS_REPLY_ERROR && std::string_view(reply->str).starts_with("NOAUTH")))
        return true;
    } catch (const std::runtime_error&) {
      // not listening yet
    }
    std::this_thread::sleep_for(10ms);
  }
  stop();
  failure = "redis-server on port " + std::to_string(port_) + " did not answer PING within 5 s";
  return false;
}

redis_server::~redis_server() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

void redis_server::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + shutdown_grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_exited(pid_)) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(5ms);
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void redis_server::kill() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string redis_server::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

std::string redis_server::unix_url() const { return "unix://" + unix_socket_; }

std::string redis_server::tls_url() const { return "rediss://127.0.0.1:" + std::to_string(tls_port_); }

std::string redis_server::command(const std::vector<std::string>& args) const {
  auto context = detail::connect_loopback(port_, password_, 2s);
  return render_checked(*detail::run_command(*context, args), args);
}

std::vector<std::string> redis_server::commands(const std::vector<std::vector<std::string>>& list) const {
  auto context = detail::connect_loopback(port_, password_, 2s);
  std::vector<std::string> rendered;
  for (const auto& args : list) rendered.push_back(render_checked(*detail::run_command(*context, args), args));
  return rendered;
}

std::string redis_server::log_tail(std::size_t max_lines) const {
  std::ifstream log(log_path_);
  std::deque<std::string> lines;
  for (std::string line; std::getline(log, line);) {
    lines.push_back(std::move(line));
    if (lines.size() > max_lines) lines.pop_front();
  }
  std::string tail;
  for (const auto& line : lines) tail += line + "\n";
  return tail;
}

stalled_listener::stalled_listener() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(system_error_text("socket"));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 || ::listen(listen_fd_, 0) != 0) {
    const auto message = system_error_text("stalled listener");
    ::close(listen_fd_);
    throw std::runtime_error(message);
  }
  port_ = ntohs(address.sin_port);
  // With backlog 0 Linux queues one connection; once full it drops further SYNs, so connect() hangs.
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    queued_fds_.push_back(fd);
  }
  std::this_thread::sleep_for(50ms);  // let the handshakes complete so the queue is full
}

stalled_listener::~stalled_listener() {
  for (int fd : queued_fds_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

}  // namespace sio::test
