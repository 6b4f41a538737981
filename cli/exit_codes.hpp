// exit_codes.hpp: notify's exit codes, one per kind of failure a script may want to react to differently.
#pragma once

#include <array>
#include <string_view>

#include "sio/error.hpp"

namespace notify {

enum class exit_code : int {
  success = 0,
  internal_error = 1,
  usage_error = 2,
  invalid_data = 3,
  redis_unreachable = 4,
  redis_refused = 5,
  timeout = 6,
  no_receivers = 7,
  some_lines_failed = 8,
  nobody_reached = 9,
  fallback_failed = 10,
  tls_failed = 11,
};

struct exit_code_description {
  exit_code code;
  std::string_view meaning;
};

// The text of the exit-code table in --help; kept next to the enum so the two cannot drift apart.
inline constexpr std::array<exit_code_description, 12> exit_code_descriptions{{
    {exit_code::success, "success"},
    {exit_code::internal_error, "internal error (unexpected)"},
    {exit_code::usage_error, "usage error (unknown or conflicting options, bad duration, invalid Redis URL)"},
    {exit_code::invalid_data,
     "invalid data (bad JSON, invalid UTF-8, reserved or empty event name, empty room); "
     "nothing published"},
    {exit_code::redis_unreachable, "Redis unreachable (connection refused or closed, unknown host)"},
    {exit_code::redis_refused, "Redis refused (authentication failed, ACL denied, error reply)"},
    {exit_code::timeout, "timeout (connect or command; or servers not answering in time: see Requests below)"},
    {exit_code::no_receivers, "no receivers (only with --require-receivers)"},
    {exit_code::some_lines_failed,
     "--stdin: some lines failed (bad line, or Redis failed that publish); the other lines were published"},
    {exit_code::nobody_reached, "--confirm: delivered to no socket (sockets: none found); every server answered"},
    {exit_code::fallback_failed, "--fallback: the command failed (non-zero exit, killed by a signal, cannot run)"},
    {exit_code::tls_failed, "TLS: handshake or certificate verification failed (or a CA/certificate/key file)"},
}};

constexpr int to_int(exit_code code) noexcept { return static_cast<int>(code); }

// The exit code of a failure that ends notify (its class first, then its code).
exit_code exit_code_for(const sio::error& e);

}  // namespace notify
