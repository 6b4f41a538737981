#include "confirm.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fallback.hpp"
#include "output.hpp"
#include "request_report.hpp"

namespace notify {
namespace {

// The notification as one JSON value: the event's only argument (as with --type), else all of them as an array.
std::string notification_json(const std::vector<sio::value>& arguments) {
  if (arguments.size() == 1) return sio::to_json(arguments.front());
  return sio::to_json(sio::value(sio::value::array_type(arguments)));
}

// Linux refuses to run a program given one environment string over 128 KiB (MAX_ARG_STRLEN): a larger
// notification goes to the fallback's stdin only.
constexpr std::size_t max_environment_string = 128 * 1024;

fallback_command make_fallback(const std::string& shell_command, const operation& op, std::string_view nsp,
                               const std::string& notification) {
  std::string rooms;
  for (const auto& room : op.rooms) {
    if (!rooms.empty()) rooms += '\n';
    rooms += room;
  }
  std::optional<std::string> notification_variable;
  if (sizeof("SIO_NOTIFICATION=") + notification.size() <= max_environment_string) {
    notification_variable = notification;
  }
  std::optional<std::string> user;
  if (op.user) user.emplace(*op.user);
  return {shell_command,
          notification + "\n",
          {{"SIO_USER", std::move(user)},
           {"SIO_EVENT", std::string(op.event)},
           {"SIO_NSP", std::string(nsp)},
           {"SIO_ROOMS", rooms},
           {"SIO_NOTIFICATION", notification_variable}}};
}

std::string fallback_failure(const std::string& shell_command, const fallback_outcome& outcome) {
  const std::string quoted = sio::to_json(sio::value(shell_command));
  switch (outcome.how) {
    case fallback_outcome::ending::exited:
      return fmt::format("fallback {} exited with status {}", quoted, outcome.number);
    case fallback_outcome::ending::killed:
      return fmt::format("fallback {} was killed by signal {}", quoted, outcome.number);
    case fallback_outcome::ending::cannot_run:
      break;
  }
  return fmt::format("fallback {} cannot run: {}", quoted, outcome.error);
}

// --json: {"status":S}, {"signal":N} or {"error":"..."}.
sio::value fallback_json(const fallback_outcome& outcome) {
  sio::value::object_type members;
  switch (outcome.how) {
    case fallback_outcome::ending::exited:
      members.emplace_back("status", sio::value(outcome.number));
      break;
    case fallback_outcome::ending::killed:
      members.emplace_back("signal", sio::value(outcome.number));
      break;
    case fallback_outcome::ending::cannot_run:
      members.emplace_back("error", sio::value(outcome.error));
      break;
  }
  return sio::value::object(std::move(members));
}

void print_text(const sio::Delivery& d, bool with_acks) {
  fmt::print("delivered to {} ({} of {} answered)\n", counted(d.clients, "socket", "sockets"), d.answered,
             counted(d.servers, "server", "servers"));
  if (!with_acks) return;
  fmt::print("acknowledged by {} of {}\n", d.acks.size(), d.clients);
  for (const auto& ack : d.acks) fmt::print("{}\n", sio::to_json(ack));
}

void print_json(const sio::Delivery& d, bool with_acks, const std::optional<fallback_outcome>& fallback) {
  sio::value::object_type members;
  members.emplace_back("command", sio::value(d.request.command));
  members.emplace_back("channel", sio::value(d.request.channel));
  members.emplace_back("bytes", sio::value(d.request.payload.size()));
  for (auto& member : reply_members(d)) members.push_back(std::move(member));
  members.emplace_back("clients", sio::value(d.clients));
  if (with_acks) members.emplace_back("acks", sio::value(d.acks));
  if (fallback) members.emplace_back("fallback", fallback_json(*fallback));
  print_json_object(std::move(members));
}

}  // namespace

exit_code run_confirmed_emit(const sio::Emitter& namespace_emitter, const operation& op, const cli_options& o) {
  const stopwatch clock;
  const sio::Delivery delivery = targeted(namespace_emitter, op).emit_confirmed_args(op.event, op.args, o.acks);
  if (o.dry_run) {
    print_published(delivery.request, o);  // nothing was asked, so nothing to wait for and no fallback
    return exit_code::success;
  }
  if (o.verbose) {
    print_published_verbose(delivery.request);
    const std::string acks =
        o.acks ? fmt::format("{} of {} acknowledged", delivery.acks.size(), delivery.clients) : std::string();
    print_answers_verbose(delivery, clock.elapsed(), o.timeout, acks);
  }

  const bool reached = delivery.clients > 0;
  const bool silent = some_server_silent(delivery);
  if (!o.json_output) print_text(delivery, o.acks);
  flush_stdout();  // the summary before any warning, even when both go to one pipe
  // A silent server may have sockets too: the count is a floor. With nobody reached and no fallback to take
  // over, that is the timeout error below instead.
  if (silent && (reached || o.fallback)) {
    print_warning(fmt::format("only {}; the count may be low", answered_within(delivery, o.timeout)));
  }
  if (o.acks && delivery.acks.size() < delivery.clients) {
    print_warning(fmt::format("only {} of {} acknowledged within {} ms", delivery.acks.size(),
                              counted(delivery.clients, "socket", "sockets"), o.timeout.count()));
  }

  std::optional<fallback_outcome> fallback;
  if (!reached && o.fallback) {
    const std::string notification = notification_json(op.args);
    fallback = run_fallback(make_fallback(*o.fallback, op, namespace_emitter.nsp(), notification));
  }
  if (o.json_output) print_json(delivery, o.acks, fallback);

  if (reached) return exit_code::success;
  if (fallback) {
    if (!fallback->succeeded()) {
      print_error(fallback_failure(*o.fallback, *fallback));
      return exit_code::fallback_failed;
    }
    if (o.verbose) print_note("delivered to nobody; fallback ran");
    return exit_code::success;
  }
  if (silent) {
    print_error("no delivery reported: " + answered_within(delivery, o.timeout));
    return exit_code::timeout;
  }
  print_note(fmt::format("delivered to nobody: no socket in {} on {}", target_description(op, namespace_emitter.nsp()),
                         counted(delivery.servers, "server", "servers")));
  return exit_code::nobody_reached;
}

}  // namespace notify
