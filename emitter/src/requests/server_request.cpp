#include "requests/server_request.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sio/internal/protocol/classic_codec.hpp"  // emitter_uid
#include "sio/internal/protocol/request_codec.hpp"
#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/sentinel.hpp"
#include "sio/error.hpp"

namespace sio::detail {

namespace {

// connect_to: for redis+sentinel://, the current master.
std::unique_ptr<redis_connection> open_connection(const client& c) {
  return connect_to(c.endpoint(), c.options().connect_timeout, c.options().command_timeout);
}

// How a request of the client's adapter travels (PROTOCOL.md §8.1, §8.2, §8.6).
struct request_route {
  request_protocol protocol = request_protocol::classic;
  const char* numsub = "NUMSUB";       // PUBSUB NUMSUB / SHARDNUMSUB of `servers`
  std::string servers;                 // the channel every server of the namespace subscribes
  const char* subscribe = "SUBSCRIBE"; // of the answer channels
  std::vector<std::string> answers;    // where the servers answer this requester
  std::string_view push = "message";   // the kind of push an answer arrives as
};

request_route route_for(const client& c, std::string_view nsp) {
  const auto& key = c.options().key;
  request_route r;
  if (c.options().mode != Options::adapter_mode::classic) {
    r.protocol = request_protocol::cluster;
    append_sharded_channel(r.servers, key, nsp);  // <prefix>#<nsp>#
    r.answers = {cluster_response_channel(key, nsp, requester_uid(c))};
    if (c.options().mode == Options::adapter_mode::sharded) {
      r.numsub = "SHARDNUMSUB";
      r.subscribe = "SSUBSCRIBE";
      r.push = "smessage";
    }
    return r;
  }
  r.servers = request_channel(key, nsp);
  // Node servers answer on the shared channel unless publishOnSpecificResponseChannel is set (and type-6 acks
  // always on the shared one).
  r.answers = {shared_response_channel(key, nsp), own_response_channel(key, nsp, c.uid())};
  return r;
}

std::size_t numsub_count(const redis_reply& reply, const request_route& route, std::string_view acl_user) {
  const auto what = fmt::format("PUBSUB {} {}", route.numsub, route.servers);
  throw_if_error(reply, what, acl_user);
  if (reply.kind != redis_reply::type::array || reply.elements.size() != 2 ||
      reply.elements[1].kind != redis_reply::type::integer || reply.elements[1].integer < 0)
    throw redis_error(errc::protocol, fmt::format("{}: unexpected reply", what));
  return static_cast<std::size_t>(reply.elements[1].integer);
}

// The payload of a pushed [kind, channel, payload]; nothing for anything else.
std::optional<std::string_view> message_payload(const redis_reply& push, std::string_view kind) {
  if (push.kind != redis_reply::type::array || push.elements.size() != 3) return std::nullopt;
  if (push.elements[0].text != kind || push.elements[2].kind != redis_reply::type::string) return std::nullopt;
  return push.elements[2].text;
}

}  // namespace

std::string_view requester_uid(const client& c) {
  // @socket.io/redis-streams-adapter 0.3.1 extends socket.io-adapter's ClusterAdapter and counts servers with
  // NUMSUB of <prefix>#<nsp>#; a streams adapter on ClusterAdapterWithHeartbeat instead counts every uid it hears
  // from as a server until 10 s of silence, and waits for its answers, except "emitter" (EMITTER_UID): with that
  // uid a request is never counted by either.
  return c.options().mode == Options::adapter_mode::streams ? emitter_uid : std::string_view(c.uid());
}

void run_request(client& c, const request_spec& spec, ServerReplies& out) {
  out.request.command = spec.publish.verb;
  out.request.channel = spec.publish.channel;
  out.request.payload = spec.publish.payload;
  if (c.options().dry_run) return;

  const request_route route = route_for(c, spec.nsp);
  auto answers = open_connection(c);
  // Count the servers and subscribe before publishing: pub/sub does not replay.
  std::vector<redis_command> setup{redis_command{"PUBSUB", route.numsub, route.servers}};
  for (const auto& channel : route.answers) setup.push_back(redis_command{route.subscribe, channel});
  const auto replies = answers->pipeline(setup);
  const auto user = acl_user_of(c.endpoint());
  const std::size_t subscribed = numsub_count(replies[0], route, user);
  for (std::size_t i = 0; i < route.answers.size(); ++i)
    throw_if_error(replies[i + 1], fmt::format("{} {}", route.subscribe, route.answers[i]), user);

  const long long receivers = c.publish(spec.publish).receivers;
  out.request.receivers = receivers;
  // NUMSUB counted the servers just before; PUBLISH's reply counts those that got the request (plus any pattern
  // subscriber). The smaller one leaves out a server that left in between without waiting for it.
  out.servers = std::min(subscribed, static_cast<std::size_t>(std::max(receivers, 0LL)));

  const auto deadline = std::chrono::steady_clock::now() + spec.wait;
  const auto satisfied = [&] { return out.answered >= out.servers && !(spec.awaiting_more && spec.awaiting_more()); };
  while (!satisfied()) {
    const auto push = answers->read_push(deadline);
    if (!push) {
      out.timed_out = true;
      break;
    }
    const auto payload = message_payload(*push, route.push);
    if (!payload) continue;
    auto answer = decode_answer(route.protocol, *payload);
    // Late answers to earlier requests and other requesters' traffic share the channels.
    if (!answer || answer->request_id != spec.request_id) continue;
    if (spec.take(*answer)) ++out.answered;
  }
}

std::size_t count_servers(client& c, std::string_view nsp) {
  if (c.options().dry_run) return 0;
  const request_route route = route_for(c, nsp);
  auto connection = open_connection(c);
  const std::array<redis_command, 1> numsub{redis_command{"PUBSUB", route.numsub, route.servers}};
  return numsub_count(connection->pipeline(numsub).front(), route, acl_user_of(c.endpoint()));
}

}  // namespace sio::detail
