// options.hpp: the command line, parsed and checked into a plain struct (CLI11 stays inside options.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/default_redis_url.hpp"
#include "sio/options.hpp"

namespace notify {

enum class command { emit, join, leave, disconnect, server_emit, sockets };

struct cli_options {
  command cmd = command::emit;

  // Connection
  std::string redis_url{sio::programs::default_redis_url};
  bool redis_url_is_default = true;  // neither --redis nor REDIS_URL gave one: failures say so (default_redis_url.hpp)
  std::string key = "socket.io";
  // The servers' adapter (README: Which mode) and its settings.
  sio::Options::adapter_mode mode = sio::Options::adapter_mode::classic;
  sio::Options::subscription_mode subscription = sio::Options::subscription_mode::dynamic;
  std::string stream_name = "socket.io";
  std::size_t stream_count = 1;
  std::size_t stream_max_len = 10000;
  std::chrono::milliseconds timeout{5000};

  // TLS: on with a rediss:// URL, or with --tls for redis://; the CA, client certificate and name.
  sio::TlsOptions tls;
  bool tls_insecure = false;  // skip certificate verification

  // Transient failures (Redis unreachable, timeout) run the operation again (retry.hpp).
  int retries = 0;
  std::chrono::milliseconds retry_delay{100};
  std::optional<std::chrono::milliseconds> deadline;

  // Target: which sockets an emit, join, leave or disconnect addresses.
  std::string nsp = "/";
  std::optional<std::string> user;
  std::string room_prefix = "user:";
  std::vector<std::string> rooms;
  std::vector<std::string> except;
  // emit, join, leave and disconnect need a target: --user, --room, or this, which says "every socket" on purpose.
  bool all = false;

  // Emit
  std::optional<std::string> type;
  std::optional<std::string> payload_json;
  std::optional<std::int64_t> timestamp_ms;
  std::optional<std::string> event;  // also the EVENT of server-emit
  std::vector<std::string> arg_jsons;
  std::optional<std::string> args_json_array;
  bool volatile_flag = false;
  bool no_compress = false;

  // join / leave / disconnect
  std::vector<std::string> rooms_to_change;
  bool close = false;

  // Requests that wait (up to `timeout`) for every server's answer.
  bool confirm = false;                 // emit: report how many sockets got it (set by --acks and --fallback too)
  bool acks = false;                    // emit: also collect the clients' acks; server-emit: the servers' acks
  std::optional<std::string> fallback;  // emit: shell command run when no socket got it
  bool ids_only = false;                // sockets --ids: allSockets() instead of fetchSockets()

  // Batch: one operation per line of standard input (NDJSON); the flags above are the lines' defaults.
  bool stdin_batch = false;

  // Output
  bool dry_run = false;
  bool json_output = false;
  bool verbose = false;
  bool require_receivers = false;
};

// The command line is wrong (exit 2); the message says what and names the bad value.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Options to run, or the exit status when parsing has already done everything (--help, --version).
struct parse_outcome {
  std::optional<cli_options> options;
  int exit_status = 0;
};

// The subcommand's name on the command line ("emit", "join", ..., "server-emit", "sockets").
std::string_view command_name(command cmd);

// Throws usage_error. Prints --help and --version output itself.
parse_outcome parse_command_line(int argc, const char* const* argv);

}  // namespace notify
