// What sio-gateway will read from the sharded and streams adapters: socket.io-adapter ClusterMessages from any
// publisher (cluster_receive.hpp). The first byte picks the entry point: 0 a sharded pub/sub payload (JSON or
// notepack), 1 a streams pub/sub payload (msgpack), 2 a message on a sharded server's own response channel, 3 a
// stream entry whose fields are separated by \x1f (field, value, field, value, ...). Decoding never throws;
// answering what a decoded message asks for may refuse only invalid UTF-8.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "sio/error.hpp"
#include "sio/internal/protocol/cluster_receive.hpp"

namespace {

namespace protocol = sio::detail;
using sio::fuzz::require;

template <class Encode>
void encode(Encode&& e) {
  try {
    e();
  } catch (const sio::data_error& error) {
    require(error.code() == sio::errc::invalid_utf8, "answering a decoded message fails only on invalid UTF-8");
  }
}

bool is_set(const std::vector<std::string>& names) {
  return std::set<std::string>(names.begin(), names.end()).size() == names.size();
}

void check(const protocol::cluster_decoding& d, protocol::cluster_adapter adapter) {
  require((d.outcome == protocol::cluster_outcome::apply) == d.message.has_value(), "apply comes with a message");
  require(d.outcome == protocol::cluster_outcome::apply || !d.reason.empty(), "a dropped message says why");
  if (!d.message) return;
  const auto& m = *d.message;
  const int type = static_cast<int>(m.type);
  require(type >= 1 && type <= 13, "a MessageType number");
  const protocol::cluster_responder self{adapter, "socket.io", "/", "OwnUid"};
  using t = protocol::cluster_message_type;
  if (const auto* b = std::get_if<protocol::cluster_broadcast>(&m.body)) {
    require(m.type == t::broadcast, "a broadcast body for BROADCAST");
    require(is_set(b->target.rooms) && is_set(b->target.except), "opts.rooms and opts.except are Sets");
    encode([&] { (void)protocol::cluster_client_count_response(self, m.reply_to, b->request_id, 1); });
    encode([&] { (void)protocol::cluster_broadcast_ack_response(self, m.reply_to, b->request_id, b->data); });
  } else if (const auto* s = std::get_if<protocol::cluster_sockets_rooms>(&m.body)) {
    require(m.type == t::sockets_join || m.type == t::sockets_leave, "a rooms body for SOCKETS_JOIN/LEAVE");
    require(is_set(s->target.rooms), "opts.rooms is a Set");
  } else if (std::holds_alternative<protocol::cluster_disconnect>(m.body)) {
    require(m.type == t::disconnect_sockets, "a disconnect body for DISCONNECT_SOCKETS");
  } else if (const auto* f = std::get_if<protocol::cluster_fetch_sockets>(&m.body)) {
    require(m.type == t::fetch_sockets, "a fetch body for FETCH_SOCKETS");
    encode([&] { (void)protocol::cluster_fetch_sockets_response(self, m.reply_to, f->request_id, {}); });
  } else if (const auto* e = std::get_if<protocol::cluster_server_side_emit>(&m.body)) {
    require(m.type == t::server_side_emit, "an emit body for SERVER_SIDE_EMIT");
    require(e->packet.type() == sio::value::kind::array, "the packet is an array");
    encode([&] { (void)protocol::cluster_server_side_emit_response(self, m.reply_to, e->request_id, e->packet); });
  } else if (std::holds_alternative<protocol::answer>(m.body)) {
    require(m.type == t::fetch_sockets_response || m.type == t::server_side_emit_response ||
                m.type == t::broadcast_client_count || m.type == t::broadcast_ack,
            "an answer for a response type");
  } else {
    require(m.type == t::initial_heartbeat || m.type == t::heartbeat || m.type == t::adapter_close,
            "no body only for heartbeats");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  using adapter = protocol::cluster_adapter;
  switch (data[0] % 4) {
    case 0:
      check(protocol::decode_cluster_message({adapter::sharded, "OwnUid", "/"}, payload), adapter::sharded);
      break;
    case 1:
      check(protocol::decode_cluster_message({adapter::streams, "OwnUid", "/"}, payload), adapter::streams);
      break;
    case 2:
      check(protocol::decode_cluster_response({adapter::sharded, "OwnUid", "/"}, payload), adapter::sharded);
      break;
    default: {
      std::vector<std::string_view> fields;
      std::size_t start = 0;
      for (std::size_t i = 0; i <= payload.size(); ++i) {
        if (i == payload.size() || payload[i] == '\x1f') {
          fields.push_back(payload.substr(start, i - start));
          start = i + 1;
        }
      }
      check(protocol::decode_stream_entry({adapter::streams, "OwnUid", "/"}, protocol::stream_entry_of(fields)),
            adapter::streams);
    }
  }
  return 0;
}
