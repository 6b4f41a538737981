#include "requests/server_request.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include <fmt/format.h>

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

std::size_t numsub_count(const redis_reply& reply, std::string_view channel, std::string_view acl_user) {
  throw_if_error(reply, fmt::format("PUBSUB NUMSUB {}", channel), acl_user);
  if (reply.kind != redis_reply::type::array || reply.elements.size() != 2 ||
      reply.elements[1].kind != redis_reply::type::integer || reply.elements[1].integer < 0)
    throw redis_error(errc::protocol, fmt::format("PUBSUB NUMSUB {}: unexpected reply", channel));
  return static_cast<std::size_t>(reply.elements[1].integer);
}

// The payload of a pushed ["message", channel, payload]; nothing for anything else.
std::optional<std::string_view> message_payload(const redis_reply& push) {
  if (push.kind != redis_reply::type::array || push.elements.size() != 3) return std::nullopt;
  if (push.elements[0].text != "message" || push.elements[2].kind != redis_reply::type::string) return std::nullopt;
  return push.elements[2].text;
}

}  // namespace

void run_request(client& c, const request_spec& spec, ServerReplies& out) {
  out.request.command = spec.publish.verb;
  out.request.channel = spec.publish.channel;
  out.request.payload = spec.publish.payload;
  if (c.options().dry_run) return;

  const auto& key = c.options().key;
  const auto requests = request_channel(key, spec.nsp);
  const auto shared = shared_response_channel(key, spec.nsp);
  const auto own = own_response_channel(key, spec.nsp, c.uid());
  auto answers = open_connection(c);
  // Both response channels: Node servers answer on the shared one unless publishOnSpecificResponseChannel is set
  // (and type-6 acks always on the shared one). Subscribed before publishing: pub/sub does not replay.
  const std::array<redis_command, 3> setup{redis_command{"PUBSUB", "NUMSUB", requests},
                                           redis_command{"SUBSCRIBE", shared}, redis_command{"SUBSCRIBE", own}};
  const auto replies = answers->pipeline(setup);
  const auto user = acl_user_of(c.endpoint());
  const std::size_t subscribed = numsub_count(replies[0], requests, user);
  throw_if_error(replies[1], fmt::format("SUBSCRIBE {}", shared), user);
  throw_if_error(replies[2], fmt::format("SUBSCRIBE {}", own), user);

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
    const auto payload = message_payload(*push);
    if (!payload) continue;
    auto answer = decode_response(*payload);
    // Late answers to earlier requests and other requesters' traffic share the channels.
    if (!answer || answer->request_id != spec.request_id) continue;
    if (spec.take(answer->body)) ++out.answered;
  }
}

std::size_t count_servers(client& c, std::string_view nsp) {
  if (c.options().dry_run) return 0;
  const auto channel = request_channel(c.options().key, nsp);
  auto connection = open_connection(c);
  const std::array<redis_command, 1> numsub{redis_command{"PUBSUB", "NUMSUB", channel}};
  return numsub_count(connection->pipeline(numsub).front(), channel, acl_user_of(c.endpoint()));
}

}  // namespace sio::detail
