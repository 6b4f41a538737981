// notify: publish one Socket.IO notification through Redis (or, with --stdin, one per line of standard input),
// or ask the servers (delivery confirmation, presence, server acks). Turns every outcome into one exit code.
#include <chrono>
#include <exception>
#include <string>
#include <string_view>

#include "batch.hpp"
#include "common/default_redis_url.hpp"
#include "confirm.hpp"
#include "exit_codes.hpp"
#include "operation.hpp"
#include "operation_resolver.hpp"
#include "options.hpp"
#include "output.hpp"
#include "presence.hpp"
#include "retry.hpp"
#include "server_acks.hpp"
#include "sio/emitter.hpp"

namespace notify {

exit_code exit_code_for(const sio::error& e) {
  const sio::errc code = e.code();
  // By class first (the spec's mapping), then by code for a plain sio::error.
  if (dynamic_cast<const sio::data_error*>(&e) != nullptr) {
    return code == sio::errc::invalid_url ? exit_code::usage_error : exit_code::invalid_data;
  }
  switch (code) {
    case sio::errc::invalid_argument:
    case sio::errc::invalid_json:
    case sio::errc::invalid_utf8:
    case sio::errc::reserved_event:
      return exit_code::invalid_data;
    case sio::errc::invalid_url:
      return exit_code::usage_error;
    case sio::errc::connection:
      return exit_code::redis_unreachable;
    case sio::errc::timeout:
      return exit_code::timeout;
    case sio::errc::auth:
    case sio::errc::reply:
    case sio::errc::protocol:
      return exit_code::redis_refused;
    case sio::errc::tls:
      return exit_code::tls_failed;
    case sio::errc::ok:
      break;
  }
  return dynamic_cast<const sio::redis_error*>(&e) != nullptr ? exit_code::redis_refused : exit_code::internal_error;
}

}  // namespace notify

namespace {

using notify::exit_code;

// notify is compiled against one version of the sio headers and may run with another libsio-emitter.so. Until
// 1.0 a minor release may change the ABI, so MAJOR.MINOR must match.
bool library_matches_headers() {
  const auto major_minor = [](std::string_view version) { return version.substr(0, version.rfind('.')); };
  return major_minor(sio::version()) == major_minor(SIO_VERSION_STRING);
}

// One attempt of a one-shot command, on its own connection (so each attempt gets its own timeouts): a batch of
// one operation, the flags' own, resolved and run as a --stdin line is.
exit_code run_once(const notify::cli_options& options) {
  const sio::Emitter emitter = notify::make_emitter(options);
  notify::operation op;
  notify::operation_resolver(options, &notify::now_ms_since_epoch).resolve(op);
  // Requests wait for the servers' answers and report them their own way.
  if (op.cmd == notify::command::sockets) return notify::run_presence(emitter, op, options);
  if (options.confirm) return notify::run_confirmed_emit(emitter, op, options);
  if (op.cmd == notify::command::server_emit && options.acks) return notify::run_server_acks(emitter, op, options);

  notify::broadcast_base base;
  const sio::Published published = *notify::run_operation(emitter, op, base);

  const bool nobody_listens = published.receivers && *published.receivers == 0;
  if (nobody_listens && options.require_receivers) {
    notify::print_error(notify::no_receivers_message(published, emitter.options().key, emitter.nsp()));
    return exit_code::no_receivers;
  }
  notify::print_published(published, options);
  if (nobody_listens) {
    notify::print_warning(notify::no_receivers_message(published, emitter.options().key, emitter.nsp()));
  }
  return exit_code::success;
}

// Runs `attempt`; a Redis it cannot reach at the default URL (neither --redis nor REDIS_URL given) is called the
// default in the message, with how to give another. Each attempt, so --retry's notes say it too.
template <class Attempt>
exit_code naming_default_url(const notify::cli_options& options, const Attempt& attempt) {
  if (!options.redis_url_is_default) return attempt();
  try {
    return attempt();
  } catch (const sio::connection_error& e) {
    throw sio::connection_error(sio::programs::name_default_redis_url(e.what()));
  } catch (const sio::timeout_error& e) {
    throw sio::timeout_error(sio::programs::name_default_redis_url(e.what()));
  }
}

exit_code run(int argc, const char* const* argv) {
  if (!library_matches_headers()) {
    notify::print_error(std::string("libsio-emitter ") + sio::version() + " does not match notify's " +
                        SIO_VERSION_STRING + ": reinstall sio");
    return exit_code::internal_error;
  }
  const auto outcome = notify::parse_command_line(argc, argv);
  if (!outcome.options) return static_cast<exit_code>(outcome.exit_status);
  notify::cli_options options = *outcome.options;
  if (options.tls_insecure && !options.dry_run)
    notify::print_warning("--tls-insecure: the Redis server's certificate is not verified, so anyone on the network "
                          "path could impersonate it");
  if (options.stdin_batch) return naming_default_url(options, [&options] { return notify::run_batch(options); });

  const auto policy = notify::retry_policy::from(options);
  if (options.dry_run || !policy.active())
    return naming_default_url(options, [&options] { return run_once(options); });
  // Every attempt publishes the same bytes, so a consumer can recognise the duplicate a retry may cause.
  if (options.type && !options.timestamp_ms) options.timestamp_ms = notify::now_ms_since_epoch();
  return notify::run_with_retry(policy, notify::retry_world::real(options.verbose),
                                [&options](std::chrono::milliseconds timeout) {
                                  notify::cli_options attempt = options;
                                  attempt.timeout = timeout;
                                  return naming_default_url(attempt, [&attempt] { return run_once(attempt); });
                                });
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const exit_code code = run(argc, argv);
    // A script must not take exit 0 for output it never got.
    if (!notify::flush_stdout()) {
      notify::print_error("internal error: cannot write to standard output");
      return notify::to_int(exit_code::internal_error);
    }
    return notify::to_int(code);
  } catch (const notify::usage_error& e) {
    notify::print_usage_error(e.what());
    return notify::to_int(exit_code::usage_error);
  } catch (const sio::error& e) {
    const exit_code code = notify::exit_code_for(e);
    if (code == exit_code::usage_error) {
      notify::print_usage_error(e.what());
    } else {
      notify::print_error(e.what());
    }
    return notify::to_int(code);
  } catch (const std::exception& e) {
    notify::print_error(std::string("internal error: ") + e.what());
    return notify::to_int(exit_code::internal_error);
  } catch (...) {
    notify::print_error("internal error: unknown exception");
    return notify::to_int(exit_code::internal_error);
  }
}
