// batch_line.hpp: one NDJSON line of `notify --stdin` -> the operation it asks for, the command line's flags
// filling in what the line leaves out. Pure: no I/O, no Redis.
//
// A line is one JSON object whose fields mirror the flags (see `notify --help`):
//   op ("emit" | "join" | "leave" | "disconnect" | "server-emit"), nsp, user (string or integer), room-prefix,
//   room and except (a string or an array of strings), type, payload (any JSON value), timestamp (integer ms),
//   event, arg (one argument, any JSON value), args (an array), volatile (bool), compress (bool; false is
//   --no-compress), rooms (join/leave: a string or an array of strings), close (disconnect: bool).
// A flag given on the command line is the default of its field for every line whose operation takes it; a
// line's own field replaces it. The arguments are replaced as a whole: a line with "arg"/"args" drops the
// default --type/--payload/--timestamp, a line with "type"/"payload"/"timestamp" drops the default --arg/--args.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "sio/value.hpp"

namespace notify {

// The command line's flags, prepared once for every line.
struct batch_defaults {
  command cmd = command::emit;
  std::string nsp = "/";
  std::optional<std::string> user;
  std::string room_prefix = "user:";
  std::vector<std::string> rooms;
  std::vector<std::string> except;
  std::optional<std::string> type;
  std::optional<sio::value> payload;
  std::optional<std::int64_t> timestamp_ms;
  std::optional<std::string> event;
  std::optional<std::vector<sio::value>> args;  // --arg or --args
  bool volatile_flag = false;
  bool no_compress = false;
  std::vector<std::string> rooms_to_change;  // the ROOM... of a join or leave subcommand
  bool close = false;

  // Throws sio::data_error for invalid --payload/--arg/--args JSON or an empty --user.
  static batch_defaults from(const cli_options& options);
};

// What one line asks for, fully resolved. Reused from line to line (vectors keep their capacity); the views
// point into the defaults or into the parser's last line, valid until its next parse().
struct batch_operation {
  command cmd = command::emit;
  std::string_view nsp;
  std::vector<std::string> rooms;  // to(): the user's room first, then "room"
  const std::vector<std::string>* except = nullptr;
  bool volatile_flag = false;
  bool no_compress = false;
  std::string_view event;          // emit, server-emit
  std::vector<sio::value> args;    // emit, server-emit
  const std::vector<std::string>* rooms_to_change = nullptr;  // join, leave
  bool close = false;              // disconnect
};

class batch_line_parser {
 public:
  // `now_ms` gives the timestamp of a notification that has none (line or --timestamp).
  batch_line_parser(const batch_defaults& defaults, std::int64_t (*now_ms)());

  // Parses one line (a JSON object, without its '\n') into `out`. Throws sio::data_error saying what is wrong
  // (invalid JSON with its column, the field at fault and why); `out` is then unspecified.
  void parse(std::string_view line, batch_operation& out);

 private:
  const batch_defaults& defaults_;
  std::int64_t (*now_ms_)();
  sio::value line_;                   // the parsed line: `out` views its strings
  std::vector<std::string> except_;   // a line's own "except"
  std::vector<std::string> rooms_to_change_;  // a line's own "rooms"
};

// The JSON-parse error of a line without the "line 1" that every single-line text would get.
std::string without_line_one(std::string message);

}  // namespace notify
