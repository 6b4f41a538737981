// operation_resolver.hpp: the command line's flags, and for `notify --stdin` one NDJSON line overriding them ->
// the operation they ask for (operation.hpp). The one-shot run resolves the flags alone: a batch of one
// operation. Pure: no I/O, no Redis.
//
// A line is one JSON object whose fields mirror the flags (see `notify --help`):
//   op ("emit" | "join" | "leave" | "disconnect" | "server-emit"), nsp, user (string or integer), room-prefix,
//   room and except (a string or an array of strings), type, payload (any JSON value), timestamp (integer ms),
//   event, arg (one argument, any JSON value), args (an array), volatile (bool), compress (bool; false is
//   --no-compress), rooms (join/leave: a string or an array of strings), close (disconnect: bool), all (bool:
//   every socket of the namespace, on purpose; emit, join, leave and
//   disconnect refuse a line with no target: "user", "room", --user, --room, or "all"/--all).
// A flag given on the command line is the default of its field for every line whose operation takes it; a
// line's own field replaces it. The arguments are replaced as a whole: a line with "arg"/"args" drops the
// default --type/--payload/--timestamp, a line with "type"/"payload"/"timestamp" drops the default --arg/--args.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operation.hpp"
#include "options.hpp"
#include "sio/value.hpp"

namespace notify {

struct line_fields;  // a line's fields, each given or not (operation_resolver.cpp)

// Throws sio::data_error for an empty --user: it would silently target "<prefix>", a room nobody meant.
void check_user_flag(const cli_options& flags);

class operation_resolver {
 public:
  // Parses the JSON of --payload, --arg and --args once, for every operation (throws sio::data_error when it is
  // invalid). `flags` must outlive the resolver and the operations it resolves. `now_ms` gives the timestamp of
  // a notification that has none (line or --timestamp).
  operation_resolver(const cli_options& flags, std::int64_t (*now_ms)());

  // The operation of the flags alone (the one-shot run; its flags are checked by the command line already).
  // Throws sio::data_error (an empty --user).
  void resolve(operation& out);

  // The operation of one line (a JSON object, without its '\n'), the flags filling in what it leaves out. Throws
  // sio::data_error saying what is wrong (invalid JSON with its column, the field at fault and why); `out` is
  // then unspecified. `now_ms`, when given, is the default timestamp instead of the clock's (a line sent again
  // keeps the timestamp of its first attempt).
  void resolve(std::string_view line, operation& out, std::optional<std::int64_t> now_ms = std::nullopt);

 private:
  void resolve(const line_fields& line, operation& out);
  bool transcoded_fields(std::string_view text, line_fields& f);

  const cli_options& flags_;
  std::optional<sio::value> payload_;             // --payload, parsed
  std::optional<std::vector<sio::value>> args_;   // --arg or --args, parsed
  std::int64_t (*now_ms_)();
  std::optional<std::int64_t> fixed_now_;         // resolve(line, out, now_ms) while it runs
  sio::value line_;                               // the parsed line: `out` views its strings
  std::string user_;                              // a line's integer "user", in decimal
  std::vector<std::string> except_;               // a line's own "except"
  std::vector<std::string> rooms_to_change_;      // a line's own "rooms"
  // A line read without a value tree (transcoded_fields): its scalar fields as values, its "payload" as msgpack.
  bool transcode_ = false;
  sio::json_members members_;
  std::array<sio::value, 17> scalars_;
  sio::value payload_marker_;                      // the line's "payload" field while payload_msgpack_ holds it
  std::optional<std::string_view> payload_msgpack_;
};

// The JSON-parse error of a line without the "line 1" that every single-line text would get.
std::string without_line_one(std::string message);

}  // namespace notify
