// JSON text -> sio::value -> notepack msgpack, the path of every `notify --payload` and sio::json() argument, and
// against it sio::read_json_members (JSON straight into msgpack, notify --stdin's lines): the same bytes whenever it
// takes a text, never a text sio::json refuses. sio::data_error is the expected refusal of bad input; anything
// else escaping, a sanitizer report or a broken round trip is a bug.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sio/internal/protocol/classic_codec.hpp"
#include "sio/internal/protocol/operation.hpp"
#include "sio/internal/protocol/validate.hpp"
#include "fuzz_check.hpp"
#include "sio/error.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace {

using sio::fuzz::require;

std::string notepack(const sio::value& v) {
  std::string out;
  sio::detail::notepack_writer(out).value(v);
  return out;
}

// What notepack changes on purpose, as Node does: integral numbers beyond int64/uint64 are written mod 2^64,
// and its decoder drops "__proto__" keys (assignment sets the prototype).
bool notepack_keeps(const sio::value& v) {
  using kind = sio::value::kind;
  switch (v.type()) {
    case kind::number: {
      const double d = v.as_number();
      return !(std::isfinite(d) && std::floor(d) == d && (d >= 18446744073709551616.0 || d < -9223372036854775808.0));
    }
    case kind::array:
      for (const auto& e : v.as_array())
        if (!notepack_keeps(e)) return false;
      return true;
    case kind::object:
      for (const auto& [key, member] : v.as_object())
        if (key == "__proto__" || !notepack_keeps(member)) return false;
      return true;
    default: return true;
  }
}

void check_round_trip(const sio::value& v) {
  const std::string first = notepack(v);  // valid UTF-8 is guaranteed by the parser: encoding cannot refuse
  const sio::value decoded = sio::detail::decode_msgpack(first);
  const std::string second = notepack(decoded);
  if (notepack_keeps(v)) {
    require(second == first, "notepack(decode_msgpack(notepack(v))) == notepack(v)");
    require(sio::to_json(decoded) == sio::to_json(v), "decoding the msgpack of v prints as v does");
  }
  // After one pass every number is in range: from then on the encoding is a fixed point.
  require(notepack(sio::detail::decode_msgpack(second)) == second, "the second round trip is stable");
  require(sio::msgpack_to_json(first) == sio::to_json(decoded), "msgpack_to_json prints the decoded value");
}

bool all_finite(const sio::value& v) {
  using kind = sio::value::kind;
  switch (v.type()) {
    case kind::number: return std::isfinite(v.as_number());
    case kind::array:
      for (const auto& e : v.as_array())
        if (!all_finite(e)) return false;
      return true;
    case kind::object:
      for (const auto& m : v.as_object())
        if (!all_finite(m.second)) return false;
      return true;
    default: return true;
  }
}

// JSON.stringify's output parses back to something that prints the same; numbers print with enough digits to
// parse back to the same double (JSON has no Infinity: those print as null).
void check_json_round_trip(const sio::value& v) {
  const std::string printed = sio::to_json(v);
  const sio::value reparsed = sio::json(printed);
  require(sio::to_json(reparsed) == printed, "to_json(json(to_json(v))) == to_json(v)");
  if (all_finite(v)) require(reparsed == v, "json(to_json(v)) == v");
}

// The whole broadcast as the emitter publishes it: its payload carries notepack(v) verbatim and decodes.
// serverSideEmit carries the same argument as JSON, which the Node adapter JSON.parses.
void check_emitter_encodings(const sio::value& v) {
  const sio::value args[] = {v};
  sio::detail::target to;
  to.add_room("user:42");
  sio::detail::operation op;
  op.to = &to;
  op.event = "notification";
  op.args = std::span<const sio::value>(args);
  sio::detail::validate(op);

  const auto broadcast = sio::detail::encode_classic(op, "socket.io");
  require(broadcast.payload.find(notepack(v)) != std::string::npos, "the broadcast carries notepack(v)");
  (void)sio::detail::decode_msgpack(broadcast.payload);

  op.kind = sio::detail::operation_kind::server_side_emit;
  const auto request = sio::detail::encode_classic(op, "socket.io");
  (void)sio::json(request.payload);  // {"uid","type":6,"data":[event, v]}: two levels above v
}

// read_json_members takes only objects sio::json takes, and then gives, member by member, the bytes of the value
// path in both msgpack dialects, which emit_msgpack accepts.
void check_json_members(std::string_view text, const sio::value* v) {
  sio::json_members m;
  if (!sio::read_json_members(text, m)) return;  // declined: sio::json's to read (and to refuse)
  require(v != nullptr, "read_json_members takes no text that sio::json refuses");
  require(v->type() == sio::value::kind::object, "read_json_members takes objects only");
  const auto& members = v->as_object();
  require(members.size() == m.members.size(), "read_json_members gives every member once");
  for (const auto dialect : {sio::detail::msgpack_dialect::notepack, sio::detail::msgpack_dialect::msgpack_javascript}) {
    std::string whole;
    sio::detail::notepack_writer(whole, dialect).value(*v);
    std::string rebuilt;
    sio::detail::notepack_writer w(rebuilt, dialect);
    w.map_header(static_cast<std::uint32_t>(m.members.size()));
    for (const auto& member : m.members) {
      w.string(member.name);
      w.raw(member.msgpack);
    }
    require(rebuilt == whole, "read_json_members' members make the bytes of the value path");
  }
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto& [name, value] = members[i];
    const auto& member = m.members[i];
    require(member.name == name, "read_json_members keeps the members' order and names");
    if (member.kind == sio::value::kind::string) require(member.string == value.as_string(), "a string member");
    if (member.kind == sio::value::kind::number) require(member.number == value.as_number(), "a number member");
    sio::detail::check_msgpack_values(member.msgpack, 1);  // throws (a bug here) if emit_msgpack would refuse it
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sio::value v;
  try {
    v = sio::json(text);
  } catch (const sio::data_error&) {
    check_json_members(text, nullptr);
    return 0;  // invalid JSON or UTF-8: refused, as it should be
  }
  check_json_members(text, &v);
  check_round_trip(v);
  check_json_round_trip(v);
  // The broadcast nests v three levels deep ([uid, {data: [event, v]}]); both decoders stop at 512 levels.
  if (sio::fuzz::json_depth(v) + 3 <= 512) check_emitter_encodings(v);

  // json_args takes exactly the arrays, with the same elements.
  if (v.type() == sio::value::kind::array) {
    require(sio::value(sio::json_args(text)) == v, "json_args(text) == json(text) for an array");
  } else {
    try {
      (void)sio::json_args(text);
      require(false, "json_args refuses a JSON text that is not an array");
    } catch (const sio::data_error&) {
    }
  }
  return 0;
}
