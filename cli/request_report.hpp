// request_report.hpp: what the requests that wait for the servers' answers (--confirm, sockets, server-emit
// --acks) print alike: counted nouns, the target in words, the -v timing line, the JSON members they share.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "operation.hpp"
#include "sio/replies.hpp"
#include "sio/value.hpp"

namespace notify {

// "1 socket", "0 sockets", "2 sockets".
std::string counted(std::size_t n, std::string_view singular, std::string_view plural);

// Some server did not answer within the timeout, so whatever the answers add up to may be low.
bool some_server_silent(const sio::ServerReplies& replies);

// "K of M servers answered within T ms", for warnings and errors about silent servers.
std::string answered_within(const sio::ServerReplies& replies, std::chrono::milliseconds timeout);

// The targeted sockets in words, after "no socket in": room "user:42" of namespace "/" (except room "muted").
std::string target_description(const operation& op, std::string_view nsp);

// Times a request for -v.
class stopwatch {
 public:
  std::chrono::milliseconds elapsed() const;

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// -v, on stderr: "notify: K of M servers answered in E ms (timeout T ms)", then `detail` when not empty.
void print_answers_verbose(const sio::ServerReplies& replies, std::chrono::milliseconds elapsed,
                           std::chrono::milliseconds timeout, std::string_view detail = {});

// The members every --json answer has, in order: "servers", "answered", "timed_out".
sio::value::object_type reply_members(const sio::ServerReplies& replies);

// One JSON object on a line of stdout (members in the given order: none of these keys looks like an index).
void print_json_object(sio::value::object_type members);

}  // namespace notify
