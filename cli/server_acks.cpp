#include "server_acks.hpp"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "output.hpp"
#include "request_report.hpp"

namespace notify {
namespace {

// A server that answered without a value is `undefined` in JavaScript: printed as null, as JSON.stringify
// prints it in an array.
void print_answers(const sio::ServerAcks& acks, bool json) {
  if (json) {
    sio::value::object_type members = reply_members(acks);
    members.emplace_back("responses", sio::value(acks.responses));
    print_json_object(std::move(members));
    return;
  }
  fmt::print("answered by {} of {}\n", acks.answered, counted(acks.servers, "server", "servers"));
  for (const auto& response : acks.responses) fmt::print("{}\n", sio::to_json(response));
}

}  // namespace

exit_code run_server_acks(const sio::Emitter& namespace_emitter, const operation& op, const cli_options& o) {
  const stopwatch clock;
  const sio::ServerAcks acks = namespace_emitter.serverSideEmitWithAck_args(op.event, op.args, o.timeout);
  if (o.dry_run) {
    print_published(acks.request, o);
    return exit_code::success;
  }
  if (o.verbose) {
    print_published_verbose(acks.request);
    print_answers_verbose(acks, clock.elapsed(), o.timeout);
  }
  print_answers(acks, o.json_output);
  if (acks.timed_out || some_server_silent(acks)) {
    print_error("only " + answered_within(acks, o.timeout));
    return exit_code::timeout;
  }
  return exit_code::success;
}

}  // namespace notify
