#include "adapter/broadcast_message.hpp"

#include <utility>

#include "adapter/js_semantics.hpp"
#include "sio/error.hpp"
#include "sio/internal/value/msgpack_reader.hpp"

namespace sio::gateway::adapter {

std::optional<std::string> channel_room(std::string_view channel, std::string_view prefix) {
  if (!channel.starts_with(prefix)) return std::nullopt;
  const std::string_view rest = channel.substr(prefix.size());
  // channel.slice(prefix.length, -1)
  return std::string(rest.empty() ? rest : rest.substr(0, rest.size() - 1));
}

namespace {

broadcast_decoding result(broadcast_outcome outcome, std::string reason) {
  broadcast_decoding d;
  d.outcome = outcome;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

broadcast_decoding decode_broadcast(std::string_view payload, std::string_view own_uid, std::string_view nsp) {
  sio::value message;
  try {
    message = sio::detail::decode_msgpack(payload);
  } catch (const sio::data_error& e) {
    return result(broadcast_outcome::malformed, e.what());
  }
  // const [uid, packet, opts] = args: anything but an array is a TypeError here (a string would destructure
  // into characters, and then setting packet.nsp on a string throws in strict mode).
  if (message.type() != sio::value::kind::array) return result(broadcast_outcome::malformed, "not an array");
  const auto& parts = message.as_array();
  const auto part = [&](std::size_t i) { return i < parts.size() ? parts[i] : sio::value::undefined(); };
  const sio::value uid = part(0);
  const sio::value packet = part(1);
  const sio::value opts = part(2);

  if (uid.type() == sio::value::kind::string && uid.as_string() == own_uid)
    return result(broadcast_outcome::ignored, "own uid");
  if (!truthy(packet)) return result(broadcast_outcome::ignored, "no packet");
  if (packet.type() != sio::value::kind::object && packet.type() != sio::value::kind::array)
    return result(broadcast_outcome::malformed, "packet is not an object");  // packet.nsp = "/" throws
  sio::value packet_nsp = property(packet, "nsp");
  if (packet_nsp.is_undefined()) packet_nsp = "/";
  if (packet_nsp.type() != sio::value::kind::string || packet_nsp.as_string() != nsp)
    return result(broadcast_outcome::ignored, "another namespace");
  // opts.rooms = new Set(...) assigns a property: TypeError for undefined, null and (strict mode) primitives.
  if (opts.type() != sio::value::kind::object && opts.type() != sio::value::kind::array)
    return result(broadcast_outcome::malformed, "opts missing or not an object");

  const auto rooms = to_room_set(property(opts, "rooms"));
  const auto except = to_room_set(property(opts, "except"));
  if (!rooms || !except) return result(broadcast_outcome::malformed, "opts.rooms or opts.except is not iterable");
  // Rooms that can only hold non-string names reach nobody.
  if (rooms->names.empty() && rooms->matchless) return result(broadcast_outcome::ignored, "no room can match");

  // Node sends packet.type as is; the emitter always writes 2 (EVENT), the only type a gateway encodes.
  const sio::value type = property(packet, "type");
  if (type.type() != sio::value::kind::number || type.as_number() != 2)
    return result(broadcast_outcome::malformed, "packet type is not 2 (EVENT)");

  const sio::value flags = property(opts, "flags");
  broadcast_decoding d;
  d.outcome = broadcast_outcome::apply;
  d.message.emplace();
  d.message->data = property(packet, "data");
  d.message->target.rooms = rooms->names;
  d.message->target.except = except->names;
  d.message->flags.volatile_ = truthy(property(flags, "volatile"));
  const sio::value compress = property(flags, "compress");
  d.message->flags.compress = !(compress.type() == sio::value::kind::boolean && !compress.as_bool());
  return d;
}

}  // namespace sio::gateway::adapter
