// What sio-gateway reads from Redis: broadcasts on <key>#<nsp>#[room#] (msgpack) and requests on
// <key>-request#<nsp># (JSON or msgpack), from any publisher. Decoding never throws; encoding what a decoded
// message asks for (the event for the sockets, the response for the requester) may refuse only invalid UTF-8,
// which the adapter reports and skips.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "sio/error.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/classic_receive.hpp"
#include "socketio/encode.hpp"

namespace {

namespace adapter = sio::detail;  // the classic adapter's receiving side (protocol layer)
using sio::fuzz::require;

constexpr std::string_view own_uid = "OwnUid";

// Runs an encoder on attacker-chosen values: sio::data_error for invalid UTF-8 is expected, nothing else.
template <class Encode>
void encode(Encode&& e) {
  try {
    e();
  } catch (const sio::data_error& error) {
    require(error.code() == sio::errc::invalid_utf8, "encoding a decoded message fails only on invalid UTF-8");
  }
}

void check_broadcast(std::string_view payload) {
  const auto d = adapter::decode_broadcast(payload, own_uid, "/");
  require((d.outcome == adapter::broadcast_outcome::apply) == d.message.has_value(), "apply comes with a message");
  if (!d.message) return;
  encode([&] { (void)sio::gateway::socketio::encode_event("/", d.message->data); });
  const auto& rooms = d.message->target.rooms;
  require(std::set<std::string>(rooms.begin(), rooms.end()).size() == rooms.size(), "opts.rooms is a Set");
}

void check_request(std::string_view payload) {
  const auto d = adapter::decode_request(payload, own_uid);
  require((d.outcome == adapter::request_outcome::handle) == d.req.has_value(), "handle comes with a request");
  if (!d.req) return;
  const auto& r = *d.req;
  const std::vector<std::string> names{"a", "room:1"};
  encode([&] { (void)adapter::sockets_response(r.request_id, names); });
  encode([&] { (void)adapter::all_rooms_response(r.request_id, names); });
  encode([&] { (void)adapter::legacy_response(r.request_id); });
  encode([&] { (void)adapter::fetch_sockets_response(r.request_id, {}); });
  encode([&] { (void)adapter::server_side_emit_ack_response(r.request_id); });
  encode([&] { (void)adapter::client_count_response(r.request_id, 3); });
  encode([&] { (void)adapter::broadcast_ack_response(r.request_id, r.data); });
  if (r.type == adapter::classic_request_type::broadcast)
    encode([&] { (void)sio::gateway::socketio::encode_event("/", r.data); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  check_broadcast(payload);
  check_request(payload);
  // The room of a broadcast channel: everything after the prefix but the last character.
  constexpr std::string_view prefix = "socket.io#/#";
  if (const auto room = adapter::classic_channel_room(payload, prefix)) {
    const auto rest = payload.substr(prefix.size());
    require(*room == rest.substr(0, rest.empty() ? 0 : rest.size() - 1), "the room is the rest but its last byte");
  }
  return 0;
}
