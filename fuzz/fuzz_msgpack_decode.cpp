// msgpack from Redis: decode_msgpack (what a Node server's notepack decoder gives), msgpack_to_json (notify
// --dry-run, sio-gateway logs) and decode_response (answers to --confirm, fetchSockets, ..., which must never
// throw: other requesters' traffic shares the channel). sio::data_error is the expected refusal of bad bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sio/internal/protocol/request_codec.hpp"
#include "fuzz_check.hpp"
#include "sio/error.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/msgpack_reader.hpp"
#include "sio/internal/value/notepack_writer.hpp"

namespace {

using sio::fuzz::require;

// Encoding a decoded value may refuse only invalid UTF-8 (msgpack strings and bin keys are raw bytes).
std::optional<std::string> notepack(const sio::value& v) {
  std::string out;
  try {
    sio::detail::notepack_writer(out).value(v);
  } catch (const sio::data_error& e) {
    require(e.code() == sio::errc::invalid_utf8, "re-encoding a decoded value fails only on invalid UTF-8");
    return std::nullopt;
  }
  return out;
}

// Whatever the input, one decode -> encode pass lands on a fixed point: Invalid Dates, wrapped integers, ext 0
// buffers and dropped "__proto__" keys change only in the first pass.
void check_re_encoding(const sio::value& v) {
  const auto first = notepack(v);
  if (!first) return;
  const auto second = notepack(sio::detail::decode_msgpack(*first));
  require(second.has_value(), "a value decoded from our own encoding encodes");
  require(notepack(sio::detail::decode_msgpack(*second)) == second, "decode/encode reaches a fixed point");
}

// msgpack_to_json prints JSON that parses back to something printing the same.
void check_json(std::string_view bytes, bool within_json_depth) {
  std::string printed;
  try {
    printed = sio::msgpack_to_json(bytes);
  } catch (const sio::data_error& e) {
    // The value decoded; only a string or key that is not UTF-8 cannot be printed.
    require(e.code() == sio::errc::invalid_utf8, "msgpack_to_json of decodable bytes fails only on invalid UTF-8");
    return;
  }
  if (!within_json_depth) return;
  require(sio::to_json(sio::json(printed)) == printed, "msgpack_to_json prints JSON.stringify-stable JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Never throws, whatever arrives on a response channel.
  if (const auto r = sio::detail::decode_response(bytes))
    require(sio::detail::member(r->body, "requestId") == sio::value(r->request_id), "the response keeps its id");

  sio::value v;
  try {
    v = sio::detail::decode_msgpack(bytes);
  } catch (const sio::data_error& e) {
    require(e.code() == sio::errc::invalid_argument, "malformed msgpack is errc::invalid_argument");
    try {
      (void)sio::msgpack_to_json(bytes);
      require(false, "msgpack_to_json refuses what decode_msgpack refuses");
    } catch (const sio::data_error&) {
    }
    return 0;
  }
  // Printing and re-encoding add levels (an ext becomes [type, Buffer], a Buffer {"type","data":[..]}), which the
  // decoders' limit of 512 may refuse by design: the checks that decode again skip such values.
  const bool shallow = sio::fuzz::json_depth(v) <= 512;
  if (shallow) check_re_encoding(v);
  check_json(bytes, shallow);
  return 0;
}
