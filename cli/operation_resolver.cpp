#include "operation_resolver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <span>
#include <utility>

#include "sio/error.hpp"

namespace notify {
namespace {

// Number.MAX_SAFE_INTEGER: every integer up to it is exact in a JSON number (a double).
constexpr double max_safe_integer = 9007199254740991.0;

[[noreturn]] void fail(std::string message) { throw sio::data_error(sio::errc::invalid_argument, message); }

const char* json_kind(const sio::value& v) {
  switch (v.type()) {
    case sio::value::kind::null:
      return "null";
    case sio::value::kind::boolean:
      return "a boolean";
    case sio::value::kind::number:
    case sio::value::kind::integer:
    case sio::value::kind::unsigned_integer:
      return "a number";
    case sio::value::kind::string:
      return "a string";
    case sio::value::kind::array:
      return "an array";
    case sio::value::kind::object:
      return "an object";
    default:
      return "another kind of value";
  }
}

[[noreturn]] void wrong_type(std::string_view field, std::string_view expected, const sio::value& got) {
  fail(fmt::format("\"{}\" must be {}, not {}", field, expected, json_kind(got)));
}

std::string_view string_field(std::string_view field, const sio::value& v) {
  if (v.type() != sio::value::kind::string) wrong_type(field, "a string", v);
  return v.as_string();
}

bool bool_field(std::string_view field, const sio::value& v) {
  if (v.type() != sio::value::kind::boolean) wrong_type(field, "true or false", v);
  return v.as_bool();
}

// A safe integer (JSON numbers are doubles): the field's value, exactly.
std::optional<std::int64_t> safe_integer(const sio::value& v) {
  if (v.type() != sio::value::kind::number) return std::nullopt;
  const double d = v.as_number();
  if (!(std::fabs(d) <= max_safe_integer) || std::trunc(d) != d) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// "room": "a" or ["a", "b"], into `out` (replacing its content, keeping its capacity).
void string_list_field(std::string_view field, const sio::value& v, std::vector<std::string>& out) {
  if (v.type() == sio::value::kind::string) {
    out.resize(1);
    out[0].assign(v.as_string());
    return;
  }
  if (v.type() != sio::value::kind::array) wrong_type(field, "a string or an array of strings", v);
  const auto& elements = v.as_array();
  out.resize(elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (elements[i].type() != sio::value::kind::string) {
      fail(fmt::format("\"{}\" must be a string or an array of strings, not an array holding {}", field,
                       json_kind(elements[i])));
    }
    out[i].assign(elements[i].as_string());
  }
}

std::optional<command> command_named(std::string_view name) {
  if (name == "emit") return command::emit;
  if (name == "join") return command::join;
  if (name == "leave") return command::leave;
  if (name == "disconnect") return command::disconnect;
  if (name == "server-emit") return command::server_emit;
  return std::nullopt;
}

}  // namespace

// The fields of a line, each the value it was given or nullptr (all nullptr: no line, the flags alone).
struct line_fields {
  const sio::value* op = nullptr;
  const sio::value* nsp = nullptr;
  const sio::value* user = nullptr;
  const sio::value* room_prefix = nullptr;
  const sio::value* room = nullptr;
  const sio::value* except = nullptr;
  const sio::value* type = nullptr;
  const sio::value* payload = nullptr;
  const sio::value* timestamp = nullptr;
  const sio::value* event = nullptr;
  const sio::value* arg = nullptr;
  const sio::value* args = nullptr;
  const sio::value* volatile_flag = nullptr;
  const sio::value* compress = nullptr;
  const sio::value* rooms = nullptr;
  const sio::value* close = nullptr;
  const sio::value* all = nullptr;
};

namespace {

using field_member = const sio::value* line_fields::*;

struct named_field {
  std::string_view name;
  field_member member;
};

constexpr std::array<named_field, 17> known_fields = {{
    {"op", &line_fields::op},
    {"nsp", &line_fields::nsp},
    {"user", &line_fields::user},
    {"room-prefix", &line_fields::room_prefix},
    {"room", &line_fields::room},
    {"except", &line_fields::except},
    {"type", &line_fields::type},
    {"payload", &line_fields::payload},
    {"timestamp", &line_fields::timestamp},
    {"event", &line_fields::event},
    {"arg", &line_fields::arg},
    {"args", &line_fields::args},
    {"volatile", &line_fields::volatile_flag},
    {"compress", &line_fields::compress},
    {"rooms", &line_fields::rooms},
    {"close", &line_fields::close},
    {"all", &line_fields::all},
}};

// The member a field name denotes.
std::optional<field_member> field_named(std::string_view name) {
  for (const auto& field : known_fields)
    if (field.name == name) return field.member;
  return std::nullopt;
}

// Options that configure the whole run, not one operation.
constexpr std::array<std::string_view, 8> command_line_only = {
    "redis", "key", "timeout", "dry-run", "json", "verbose", "require-receivers", "stdin"};

[[noreturn]] void unknown_field(std::string_view name) {
  for (const auto option : command_line_only) {
    if (name == option) fail(fmt::format("\"{}\" cannot be set per line: give --{} on the command line", name, name));
  }
  if (name == "no-compress" || name == "no_compress") {
    fail(fmt::format("unknown field \"{}\": use \"compress\": false", name));
  }
  if (name == "room_prefix" || name == "roomPrefix") {
    fail(fmt::format("unknown field \"{}\": did you mean \"room-prefix\"?", name));
  }
  if (name == "to" || name == "in") fail(fmt::format("unknown field \"{}\": use \"room\"", name));
  fail(fmt::format("unknown field \"{}\"", name));
}

// The line parsed by sio::json, its members picked out.
line_fields fields_of(const sio::value& line) {
  if (line.type() != sio::value::kind::object) {
    fail(fmt::format("expected a JSON object (one operation per line), not {}", json_kind(line)));
  }
  line_fields f;
  for (const auto& [name, value] : line.as_object()) {
    const auto field = field_named(name);
    if (!field) unknown_field(name);
    f.**field = &value;
  }
  return f;
}

// The event's arguments of an emit or server-emit by event name: the line's "arg" or "args", else --arg/--args.
void event_arguments(const line_fields& f, const std::optional<std::vector<sio::value>>& defaults,
                     std::vector<sio::value>& out) {
  if (f.arg != nullptr) {
    out.push_back(*f.arg);
  } else if (f.args != nullptr) {
    if (f.args->type() != sio::value::kind::array) wrong_type("args", "an array", *f.args);
    out = f.args->as_array();
  } else if (defaults) {
    out = *defaults;
  }
}

void refuse(const sio::value* given, std::string_view field, command cmd, std::string_view why = {}) {
  if (given == nullptr) return;
  fail(fmt::format("\"{}\" cannot be used with {}{}", field, command_name(cmd), why));
}

}  // namespace

void check_user_flag(const cli_options& flags) {
  if (flags.user && flags.user->empty()) throw sio::data_error(sio::errc::invalid_argument, "empty user id (--user)");
}

namespace {

// The JSON of one flag (--payload, --args, the Nth --arg), its error naming the flag. A value that starts like a
// bare word is most often a string without its quotes: say how to quote it.
template <class Parse>
auto flag_json(std::string_view flag, std::string_view text, Parse&& parse) {
  try {
    return parse(text);
  } catch (const sio::data_error& e) {
    std::string message = fmt::format("{}: {}", flag, without_line_one(e.what()));
    const auto first = text.find_first_not_of(" \t\r\n");
    const char c = first == std::string_view::npos ? '\0' : text[first];
    const bool bare_word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '\'';
    if (bare_word && e.code() == sio::errc::invalid_json) {
      std::string_view word = text.substr(first, std::min<std::size_t>(text.size() - first, 20));
      if (word.size() >= 2 && word.front() == '\'' && word.back() == '\'') word = word.substr(1, word.size() - 2);
      message += fmt::format(" (a JSON string needs double quotes: {} '\"{}\"')", flag.substr(0, flag.find(' ')), word);
    }
    throw sio::data_error(e.code(), message);
  }
}

}  // namespace

operation_resolver::operation_resolver(const cli_options& flags, std::int64_t (*now_ms)())
    : flags_(flags),
      now_ms_(now_ms),
      // The classic adapter's broadcast is msgpack whatever the values: a line's payload can go in as msgpack
      // read straight from its JSON. (The sharded and streams adapters choose JSON or msgpack by the values.)
      transcode_(flags.mode == sio::Options::adapter_mode::classic) {
  const auto value = [](std::string_view text) { return sio::json(text); };
  if (flags.payload_json) payload_ = flag_json("--payload", *flags.payload_json, value);
  if (flags.args_json_array) {
    args_ = flag_json("--args", *flags.args_json_array, [](std::string_view text) { return sio::json_args(text); });
  } else if (!flags.arg_jsons.empty()) {
    args_.emplace();
    args_->reserve(flags.arg_jsons.size());
    for (std::size_t i = 0; i < flags.arg_jsons.size(); ++i) {
      const std::string flag = flags.arg_jsons.size() == 1 ? "--arg" : fmt::format("--arg {}", i + 1);  // which one
      args_->push_back(flag_json(flag, flags.arg_jsons[i], value));
    }
  }
}

void operation_resolver::resolve(operation& out) {
  fixed_now_.reset();
  resolve(line_fields{}, out);
}

void operation_resolver::resolve(std::string_view text, operation& out, std::optional<std::int64_t> now_ms) {
  fixed_now_ = now_ms;
  if (line_fields f; transcode_ && transcoded_fields(text, f)) {
    resolve(f, out);
    return;
  }
  line_ = sio::json(text);
  resolve(fields_of(line_), out);
}

// The common line, {"user":..,"type":..,"payload":{..}} and the like, without building its payload's tree: read
// by read_json_members, which writes each field's value as msgpack as it reads it. Its scalar fields become values
// (strings, numbers: no tree), its "payload" stays msgpack (payload_msgpack_), written into the notification as
// it is. False, and nothing is refused, when the line needs sio::json: read_json_members left it to sio::json
// (invalid JSON, a repeated or array-index name, ...), or a field other than "payload" is an array or object.
bool operation_resolver::transcoded_fields(std::string_view text, line_fields& f) {
  payload_msgpack_.reset();
  if (!sio::read_json_members(text, members_)) return false;
  std::size_t scalars = 0;
  for (const auto& m : members_.members) {
    const auto field = field_named(m.name);
    if (!field) unknown_field(m.name);  // as fields_of: the first unknown name, in the line's order
    if (*field == &line_fields::payload) {
      payload_msgpack_ = m.msgpack;
      f.payload = &payload_marker_;
      continue;
    }
    if (scalars == scalars_.size()) return false;
    sio::value& v = scalars_[scalars++];
    switch (m.kind) {
      case sio::value::kind::null: v = nullptr; break;
      case sio::value::kind::boolean: v = m.boolean; break;
      case sio::value::kind::number: v = m.number; break;
      case sio::value::kind::string: v = m.string; break;
      default: return false;
    }
    f.**field = &v;
  }
  return true;
}

void operation_resolver::resolve(const line_fields& f, operation& out) {
  const cli_options& flags = flags_;
  command cmd = flags.cmd;
  if (f.op != nullptr) {
    const auto named = command_named(string_field("op", *f.op));
    if (!named) {
      fail(fmt::format("unknown \"op\" \"{}\": use emit, join, leave, disconnect or server-emit", f.op->as_string()));
    }
    cmd = *named;
  }
  out.cmd = cmd;
  out.nsp = f.nsp != nullptr ? string_field("nsp", *f.nsp) : std::string_view(flags.nsp);

  // Fields the operation does not take, as the command line refuses their flags.
  const bool emits = cmd == command::emit;
  if (!emits) {
    refuse(f.type, "type", cmd);
    refuse(f.payload, "payload", cmd);
    refuse(f.timestamp, "timestamp", cmd);
    refuse(f.volatile_flag, "volatile", cmd);
    refuse(f.compress, "compress", cmd);
    if (cmd != command::server_emit) {
      refuse(f.event, "event", cmd);
      refuse(f.arg, "arg", cmd);
      refuse(f.args, "args", cmd);
    }
  }
  if (cmd != command::join && cmd != command::leave) {
    refuse(f.rooms, "rooms", cmd,
           emits ? " (it is the rooms to join or leave; \"room\" targets sockets)" : std::string_view());
  }
  if (cmd != command::disconnect) refuse(f.close, "close", cmd);

  // Target: --user/--room/--except, as io.to(...).except(...).
  out.user.reset();
  out.rooms.clear();
  out.except = &flags.except;
  if (cmd == command::server_emit) {
    constexpr std::string_view why = ": it reaches every server of the namespace";
    refuse(f.user, "user", cmd, why);
    refuse(f.room_prefix, "room-prefix", cmd, why);
    refuse(f.room, "room", cmd, why);
    refuse(f.except, "except", cmd, why);
    refuse(f.all, "all", cmd, why);
  } else {
    const std::string_view prefix =
        f.room_prefix != nullptr ? string_field("room-prefix", *f.room_prefix) : std::string_view(flags.room_prefix);
    if (f.user != nullptr) {
      if (f.user->type() == sio::value::kind::string) {
        if (f.user->as_string().empty()) fail("empty user id (\"user\")");
        out.user = f.user->as_string();
      } else if (const auto id = safe_integer(*f.user)) {
        const fmt::format_int digits(*id);  // no allocation, no format string parsed per line
        user_.assign(digits.data(), digits.size());
        out.user = user_;
      } else if (f.user->type() == sio::value::kind::number) {
        fail("\"user\" must be a string or an integer, not a fraction or an integer beyond 2^53");
      } else {
        wrong_type("user", "a string or an integer", *f.user);
      }
    } else if (flags.user) {
      check_user_flag(flags);
      out.user = *flags.user;
    }
    if (out.user) {
      std::string room;
      room.reserve(prefix.size() + out.user->size());
      room.append(prefix).append(*out.user);
      out.rooms.push_back(std::move(room));
    }
    if (f.room != nullptr) {
      std::vector<std::string> named;
      string_list_field("room", *f.room, named);
      for (auto& r : named) out.rooms.push_back(std::move(r));
    } else {
      out.rooms.insert(out.rooms.end(), flags.rooms.begin(), flags.rooms.end());
    }
    if (f.except != nullptr) {
      string_list_field("except", *f.except, except_);
      out.except = &except_;
    }
  }

  out.volatile_flag = false;
  out.no_compress = false;
  out.args.clear();
  out.msgpack_args = false;
  out.event = {};
  out.rooms_to_change = nullptr;
  out.close = false;

  switch (cmd) {
    case command::emit: {
      out.volatile_flag = f.volatile_flag != nullptr ? bool_field("volatile", *f.volatile_flag) : flags.volatile_flag;
      out.no_compress = f.compress != nullptr ? !bool_field("compress", *f.compress) : flags.no_compress;
      if (f.arg != nullptr && f.args != nullptr) fail("\"arg\" and \"args\" cannot be combined");
      const sio::value* line_arguments = f.arg != nullptr ? f.arg : f.args;
      const sio::value* line_notification =
          f.type != nullptr ? f.type : (f.payload != nullptr ? f.payload : f.timestamp);
      if (line_arguments != nullptr && line_notification != nullptr) {
        fail(fmt::format("\"{}\" cannot be combined with \"{}\"", f.arg != nullptr ? "arg" : "args",
                         f.type != nullptr ? "type" : (f.payload != nullptr ? "payload" : "timestamp")));
      }
      // The arguments come as a whole from the line or from the command line.
      const bool defaults_for_arguments = line_arguments == nullptr && line_notification == nullptr;
      std::optional<std::string_view> type;
      const sio::value* payload = nullptr;
      std::optional<std::int64_t> timestamp;
      if (line_notification != nullptr || (defaults_for_arguments && flags.type)) {
        if (f.type != nullptr) {
          type = string_field("type", *f.type);
        } else if (flags.type) {
          type = *flags.type;
        }
        payload = f.payload != nullptr ? f.payload : (payload_ ? &*payload_ : nullptr);
        if (f.timestamp != nullptr) {
          timestamp = safe_integer(*f.timestamp);
          if (!timestamp) {
            if (f.timestamp->type() == sio::value::kind::number) {
              fail("\"timestamp\" must be an integer number of milliseconds (at most 2^53-1)");
            }
            wrong_type("timestamp", "an integer number of milliseconds", *f.timestamp);
          }
        } else {
          timestamp = flags.timestamp_ms;
        }
      }
      out.event = f.event != nullptr ? string_field("event", *f.event)
                                     : (flags.event ? std::string_view(*flags.event) : std::string_view());
      if (type) {
        if (f.event == nullptr && !flags.event) out.event = "notification";
        const std::int64_t ms = timestamp ? *timestamp : (fixed_now_ ? *fixed_now_ : now_ms_());
        if (payload == &payload_marker_) {
          write_notification(out.msgpack, *type, *payload_msgpack_, ms);  // the payload as the line had it
          out.msgpack_args = true;
        } else {
          out.args.push_back(make_notification(*type, payload, ms));
        }
        break;
      }
      if (payload != nullptr) fail("\"payload\" requires \"type\"");
      if (timestamp) fail("\"timestamp\" requires \"type\"");
      if (f.event == nullptr && !flags.event) {
        if (line_arguments != nullptr) fail(fmt::format("\"{}\" needs \"event\"", f.arg != nullptr ? "arg" : "args"));
        fail("nothing to emit: give \"type\" (the notification shape) or \"event\"");
      }
      event_arguments(f, args_, out.args);
      break;
    }
    case command::server_emit: {
      if (f.arg != nullptr && f.args != nullptr) fail("\"arg\" and \"args\" cannot be combined");
      if (f.event != nullptr) {
        out.event = string_field("event", *f.event);
      } else if (flags.event) {
        out.event = *flags.event;
      } else {
        fail("server-emit needs \"event\"");
      }
      event_arguments(f, args_, out.args);
      break;
    }
    case command::join:
    case command::leave:
      if (f.rooms != nullptr) {
        string_list_field("rooms", *f.rooms, rooms_to_change_);
        out.rooms_to_change = &rooms_to_change_;
      } else {
        out.rooms_to_change = &flags.rooms_to_change;
      }
      if (out.rooms_to_change->empty()) {
        fail(fmt::format("{} needs \"rooms\": the rooms to {}", command_name(cmd), command_name(cmd)));
      }
      break;
    case command::disconnect:
      out.close = f.close != nullptr ? bool_field("close", *f.close) : flags.close;
      break;
    case command::sockets:
      break;  // the target alone; never a line's: no "op" names it and the command line refuses --stdin sockets
  }

  // Last, so a line's other mistakes are named first: a forgotten "user" must not reach everyone. Every socket
  // only on purpose ("all": true, or --all).
  if (cmd == command::server_emit || cmd == command::sockets) return;
  const bool all = f.all != nullptr ? bool_field("all", *f.all) : flags.all;
  if (all && !out.rooms.empty())
    fail("\"all\" cannot be combined with a target (\"user\", \"room\", --user or --room)");
  if (!all && out.rooms.empty())
    fail("no target: give \"user\" or \"room\" (or --user/--room), or \"all\": true to address every socket of "
         "the namespace on purpose");
}

std::string without_line_one(std::string message) {
  constexpr std::string_view line_one = "at line 1, column ";
  if (const auto at = message.find(line_one); at != std::string::npos) {
    message.replace(at, line_one.size(), "at column ");
  }
  return message;
}

}  // namespace notify
