#include "presence.hpp"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "output.hpp"
#include "request_report.hpp"

namespace notify {
namespace {

std::string joined(const std::vector<std::string>& names, std::string_view separator) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) text += separator;
    text += names[i];
  }
  return text;
}

sio::value socket_json(const sio::RemoteSocket& socket) {
  sio::value::object_type members;
  members.emplace_back("id", sio::value(socket.id));
  members.emplace_back("rooms", sio::value(socket.rooms));
  members.emplace_back("handshake", socket.handshake);
  members.emplace_back("data", socket.data);
  return sio::value::object(std::move(members));
}

void print_sockets(const sio::SocketList& list, bool json) {
  if (json) {
    sio::value::object_type members = reply_members(list);
    sio::value::array_type sockets;
    sockets.reserve(list.sockets.size());
    for (const auto& socket : list.sockets) sockets.push_back(socket_json(socket));
    members.emplace_back("sockets", sio::value(std::move(sockets)));
    print_json_object(std::move(members));
    return;
  }
  for (const auto& socket : list.sockets) fmt::print("{}\t{}\n", socket.id, joined(socket.rooms, ","));
}

void print_ids(const sio::SocketIds& list, bool json) {
  if (json) {
    sio::value::object_type members = reply_members(list);
    members.emplace_back("ids", sio::value(list.ids));
    print_json_object(std::move(members));
    return;
  }
  for (const auto& id : list.ids) fmt::print("{}\n", id);
}

// Everything after the request, the same for both forms: -v, then the exit code and its message.
exit_code report(const sio::ServerReplies& replies, std::size_t found, const stopwatch& clock,
                 const sio::Emitter& namespace_emitter, const operation& op, const cli_options& o) {
  flush_stdout();  // the list before what goes to stderr, even when both go to one pipe
  if (o.verbose) {
    print_published_verbose(replies.request);
    print_answers_verbose(replies, clock.elapsed(), o.timeout, counted(found, "socket", "sockets"));
  }
  const bool silent = some_server_silent(replies);
  if (found > 0) {
    if (silent) print_warning(fmt::format("only {}; the list may be incomplete", answered_within(replies, o.timeout)));
    return exit_code::success;
  }
  if (silent) {
    print_error("no socket found: " + answered_within(replies, o.timeout));
    return exit_code::timeout;
  }
  print_note(fmt::format("no socket in {} on {}", target_description(op, namespace_emitter.nsp()),
                         counted(replies.servers, "server", "servers")));
  return exit_code::nobody_reached;
}

}  // namespace

exit_code run_presence(const sio::Emitter& namespace_emitter, const operation& op, const cli_options& o) {
  const sio::BroadcastOperator target = targeted(namespace_emitter, op);
  const stopwatch clock;
  if (o.ids_only) {
    const sio::SocketIds ids = target.allSockets();
    if (o.dry_run) {
      print_published(ids.request, o);
      return exit_code::success;
    }
    print_ids(ids, o.json_output);
    return report(ids, ids.ids.size(), clock, namespace_emitter, op, o);
  }
  const sio::SocketList list = target.fetchSockets();
  if (o.dry_run) {
    print_published(list.request, o);
    return exit_code::success;
  }
  print_sockets(list, o.json_output);
  return report(list, list.sockets.size(), clock, namespace_emitter, op, o);
}

}  // namespace notify
