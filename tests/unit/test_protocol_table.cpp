// The adapter wire protocol's one table: every type number and channel name, run through both directions of the
// protocol layer (the emitter's encoders and the gateway's decoders), and each against the number or name that
// PROTOCOL.md (§2, §4, §5, §8) gives for the real Node packages. A number or name that drifted on one side
// fails here, whichever side it is.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "codec_test_support.hpp"
#include "sio/internal/protocol/adapter_types.hpp"
#include "sio/internal/protocol/channels.hpp"
#include "sio/internal/protocol/classic_codec.hpp"
#include "sio/internal/protocol/classic_receive.hpp"
#include "sio/internal/protocol/cluster_message.hpp"
#include "sio/internal/protocol/request_codec.hpp"
#include "sio/internal/protocol/sharded_codec.hpp"
#include "sio/internal/protocol/streams_codec.hpp"
#include "sio/value.hpp"

using namespace sio::detail;
using namespace std::chrono_literals;
using sio_test::make_operation;
using sio_test::to_rooms;

namespace {

// What the receiving side reads from a request the emitting side encoded.
classic_request received(const command& published) {
  const auto d = decode_request(published.payload, "OwnUid");
  REQUIRE(d.outcome == request_outcome::handle);
  return *d.req;
}

}  // namespace

TEST_CASE("table: classic request types, encoded by the emitter and decoded by the gateway (PROTOCOL 2, 8)") {
  const target to = to_rooms({"user:42"});
  const std::vector<std::string> rooms{"vip"};
  const std::vector<sio::value> args{sio::value("hello")};
  const request_ids ids{"EmitterUid", "req-1"};
  struct row {
    const char* call;
    command published;
    int node_number;  // the adapter's RequestType, as PROTOCOL.md gives it
    classic_request_type type;
  };
  const row rows[] = {
      {"allSockets", encode_all_sockets(to, "socket.io", ids), 0, classic_request_type::sockets},
      {"socketsJoin", encode_classic(make_operation(operation_kind::sockets_join, to, {}, {}, rooms), "socket.io"), 2,
       classic_request_type::remote_join},
      {"socketsLeave", encode_classic(make_operation(operation_kind::sockets_leave, to, {}, {}, rooms), "socket.io"), 3,
       classic_request_type::remote_leave},
      {"disconnectSockets", encode_classic(make_operation(operation_kind::disconnect_sockets, to), "socket.io"), 4,
       classic_request_type::remote_disconnect},
      {"fetchSockets", encode_fetch_sockets(to, "socket.io", ids), 5, classic_request_type::remote_fetch},
      {"serverSideEmit", encode_classic(make_operation(operation_kind::server_side_emit, to, "ping", args), "socket.io"),
       6, classic_request_type::server_side_emit},
      {"serverSideEmitWithAck",
       encode_server_side_emit_with_ack(make_operation(operation_kind::server_side_emit, to, "ping", args), "socket.io",
                                        ids),
       6, classic_request_type::server_side_emit},
      {"emitWithAck",
       encode_broadcast_with_ack(make_operation(operation_kind::broadcast, to, "notification", args), "socket.io", ids,
                                 5000ms),
       7, classic_request_type::broadcast},
  };
  for (const auto& r : rows) {
    CAPTURE(r.call);
    CHECK(static_cast<int>(r.type) == r.node_number);
    CHECK(r.published.verb == "PUBLISH");
    CHECK(r.published.channel == request_channel("socket.io", "/"));
    CHECK(r.published.channel == classic_channels_for("socket.io", "/", "OwnUid").request);
    CHECK(r.published.channel == "socket.io-request#/#");
    CHECK(received(r.published).type == r.type);
  }
}

TEST_CASE("table: classic responses, encoded by the gateway and decoded by the emitter (PROTOCOL 8)") {
  const sio::value id("req-1");
  struct row {
    const char* response;
    std::string payload;
    int node_number;  // -1: an untyped response
  };
  const row rows[] = {
      {"clientCount", client_count_response(id, 3), 8},
      {"broadcastAck", broadcast_ack_response(id, sio::value("ok")), 9},
      {"serverSideEmit ack", server_side_emit_ack_response(id), 6},
      {"sockets", sockets_response(id, {"a"}), -1},
      {"fetchSockets", fetch_sockets_response(id, {}), -1},
  };
  CHECK(static_cast<int>(classic_request_type::broadcast_client_count) == 8);
  CHECK(static_cast<int>(classic_request_type::broadcast_ack) == 9);
  for (const auto& r : rows) {
    CAPTURE(r.response);
    const auto decoded = decode_response(r.payload);
    REQUIRE(decoded.has_value());
    CHECK(decoded->request_id == "req-1");
    const sio::value& type = member(decoded->body, "type");
    if (r.node_number < 0)
      CHECK(type.is_undefined());
    else
      CHECK(type.as_number() == r.node_number);
  }
}

TEST_CASE("table: classic channel names, published by the emitter and subscribed by the gateway (PROTOCOL 1.2, 3.1)") {
  struct row {
    const char* key;
    const char* nsp;
    std::vector<std::string> rooms;
    const char* channel;  // where the Node emitter publishes this broadcast
    const char* room;     // what the receiving adapter reads from the channel
  };
  const row rows[] = {
      {"socket.io", "/", {}, "socket.io#/#", ""},
      {"socket.io", "/", {"user:42"}, "socket.io#/#user:42#", "user:42"},
      {"socket.io", "/", {"a", "b"}, "socket.io#/#", ""},
      {"myapp", "/admin", {"a#b"}, "myapp#/admin#a#b#", "a#b"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.channel);
    target to = to_rooms(r.rooms);
    to.nsp = r.nsp;
    const std::vector<sio::value> args{sio::value(1)};
    const command published = encode_classic(make_operation(operation_kind::broadcast, to, "e", args), r.key);
    CHECK(published.channel == r.channel);
    const auto subscribed = classic_channels_for(r.key, r.nsp, "Ab3_-x");
    CHECK(published.channel.starts_with(subscribed.broadcast_prefix));
    CHECK(subscribed.broadcast_pattern == subscribed.broadcast_prefix + "*");
    CHECK(classic_channel_room(published.channel, subscribed.broadcast_prefix) == std::string(r.room));
    CHECK(subscribed.response == shared_response_channel(r.key, r.nsp));
    CHECK(subscribed.own_response == own_response_channel(r.key, r.nsp, "Ab3_-x"));
    CHECK(subscribed.own_response == std::string(r.key) + "-response#" + r.nsp + "#Ab3_-x#");
  }
}

TEST_CASE("table: ClusterMessage types and sharded channels (PROTOCOL 4, 5)") {
  struct row {
    operation_kind kind;
    int node_number;  // MessageType in socket.io-adapter's cluster-adapter.js
    cluster_message_type type;
  };
  const row rows[] = {
      {operation_kind::broadcast, 3, cluster_message_type::broadcast},
      {operation_kind::sockets_join, 4, cluster_message_type::sockets_join},
      {operation_kind::sockets_leave, 5, cluster_message_type::sockets_leave},
      {operation_kind::disconnect_sockets, 6, cluster_message_type::disconnect_sockets},
      {operation_kind::server_side_emit, 9, cluster_message_type::server_side_emit},
  };
  const target to = to_rooms({"room1"});
  const std::vector<std::string> rooms{"vip"};
  const std::vector<sio::value> args{sio::value("x")};
  for (const auto& r : rows) {
    CAPTURE(r.node_number);
    CHECK(static_cast<int>(r.type) == r.node_number);
    CHECK(cluster_message_type_of(r.kind) == r.type);
    const auto op = make_operation(r.kind, to, "e", args, rooms);
    const command sharded = encode_sharded(op, "socket.io", subscription_mode::dynamic, "emitter");
    CHECK(member(sio::json(sharded.payload), "type").as_number() == r.node_number);
    const command streams = encode_streams(op, stream_settings{});
    CHECK(streams.between.at(8) == "type");
    CHECK(streams.between.at(9) == std::to_string(r.node_number));
  }
  // The other MessageType numbers, which requests and heartbeats use (PROTOCOL 4).
  CHECK(static_cast<int>(cluster_message_type::initial_heartbeat) == 1);
  CHECK(static_cast<int>(cluster_message_type::heartbeat) == 2);
  CHECK(static_cast<int>(cluster_message_type::fetch_sockets) == 7);
  CHECK(static_cast<int>(cluster_message_type::fetch_sockets_response) == 8);
  CHECK(static_cast<int>(cluster_message_type::server_side_emit_response) == 10);
  CHECK(static_cast<int>(cluster_message_type::broadcast_client_count) == 11);
  CHECK(static_cast<int>(cluster_message_type::broadcast_ack) == 12);
  CHECK(static_cast<int>(cluster_message_type::adapter_close) == 13);

  // Channels: what the emitter SPUBLISHes on is what a server of each subscription mode SSUBSCRIBEs.
  const std::string socket_id = "aaaaaaaaaaaaaaaaaaaa";  // 20 UTF-16 units: looks like a socket id
  struct channel_row {
    std::string room;
    subscription_mode mode;
    const char* channel;
  };
  const channel_row channels[] = {
      {"room1", subscription_mode::dynamic, "socket.io#/#room1#"},
      {"room1", subscription_mode::static_, "socket.io#/#"},
      {socket_id, subscription_mode::dynamic, "socket.io#/#"},
      {socket_id, subscription_mode::dynamic_private, "socket.io#/#aaaaaaaaaaaaaaaaaaaa#"},
  };
  for (const auto& c : channels) {
    CAPTURE(c.channel);
    const target one = to_rooms({c.room});
    const auto op = make_operation(operation_kind::broadcast, one, "e", args);
    CHECK(encode_sharded(op, "socket.io", c.mode, "emitter").channel == c.channel);
    std::string subscribed;
    append_sharded_channel(subscribed, "socket.io", "/", sharded_room_has_channel(c.room, c.mode) ? &c.room : nullptr);
    CHECK(subscribed == c.channel);
  }
  CHECK(cluster_response_channel("socket.io", "/chat", "Ab3_-x") == "socket.io#/chat#Ab3_-x#");
  CHECK(stream_name_for("/admin", {.stream_count = 3}) == "socket.io-1");
}
