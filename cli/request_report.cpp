#include "request_report.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace notify {
namespace {

// room "a" / rooms "a", "b": JSON-quoted so that odd characters stay visible.
std::string named_rooms(const std::vector<std::string>& rooms) {
  std::string text = rooms.size() == 1 ? "room " : "rooms ";
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    if (i != 0) text += ", ";
    text += sio::to_json(sio::value(rooms[i]));
  }
  return text;
}

}  // namespace

std::string counted(std::size_t n, std::string_view singular, std::string_view plural) {
  return fmt::format("{} {}", n, n == 1 ? singular : plural);
}

bool some_server_silent(const sio::ServerReplies& replies) { return replies.answered < replies.servers; }

std::string answered_within(const sio::ServerReplies& replies, std::chrono::milliseconds timeout) {
  return fmt::format("{} of {} answered within {} ms", replies.answered, counted(replies.servers, "server", "servers"),
                     timeout.count());
}

std::string target_description(const operation& op, std::string_view nsp) {
  const std::vector<std::string>& rooms = op.rooms;
  const std::string namespace_name = sio::to_json(sio::value(nsp));
  std::string text = rooms.empty() ? fmt::format("namespace {}", namespace_name)
                                   : fmt::format("{} of namespace {}", named_rooms(rooms), namespace_name);
  if (!op.except->empty()) text += fmt::format(" (except {})", named_rooms(*op.except));
  return text;
}

std::chrono::milliseconds stopwatch::elapsed() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
}

void print_answers_verbose(const sio::ServerReplies& replies, std::chrono::milliseconds elapsed,
                           std::chrono::milliseconds timeout, std::string_view detail) {
  fmt::print(stderr, "notify: {} of {} answered in {} ms (timeout {} ms){}{}\n", replies.answered,
             counted(replies.servers, "server", "servers"), elapsed.count(), timeout.count(),
             detail.empty() ? "" : "; ", detail);
}

sio::value::object_type reply_members(const sio::ServerReplies& replies) {
  sio::value::object_type members;
  members.emplace_back("servers", sio::value(replies.servers));
  members.emplace_back("answered", sio::value(replies.answered));
  members.emplace_back("timed_out", sio::value(replies.timed_out));
  return members;
}

void print_json_object(sio::value::object_type members) {
  fmt::print("{}\n", sio::to_json(sio::value::object(std::move(members))));
}

}  // namespace notify
