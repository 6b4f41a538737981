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
#include "sio/internal/redis/cluster_router.hpp"  // ask_cluster_slots
#include "sio/internal/redis/cluster_slots.hpp"
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

// --- a Redis Cluster (PROTOCOL.md §8.2): PUBSUB counts are per node, and an SPUBLISHed answer reaches only the
// shard that owns its channel's slot.

bool on_cluster(const client& c) { return c.endpoint().topology == redis_endpoint::deployment::cluster; }

cluster_topology topology_of(const client& c) {
  return ask_cluster_slots(c.endpoint(), c.endpoint().nodes, c.options().connect_timeout, c.options().command_timeout);
}

std::unique_ptr<redis_connection> open_node(const client& c, const redis_address& node) {
  return std::make_unique<redis_connection>(c.endpoint().at(node), c.options().connect_timeout,
                                            c.options().command_timeout);
}

// The servers subscribed on every node, masters and replicas (a server's client may subscribe through any): what
// the adapters' own serverCount() sums on a cluster. A node that cannot be reached holds no subscriber that could
// answer; only when no node answers is it an error.
std::size_t count_on_cluster(const client& c, const request_route& route, const cluster_topology& topology) {
  const std::array<redis_command, 1> numsub{redis_command{"PUBSUB", route.numsub, route.servers}};
  const auto user = acl_user_of(c.endpoint());
  std::size_t total = 0;
  std::optional<redis_error> unreachable;
  std::size_t counted = 0;
  for (const auto& node : topology.nodes()) {
    try {
      total += numsub_count(open_node(c, node)->pipeline(numsub).front(), route, user);
      ++counted;
    } catch (const auth_error&) {
      throw;
    } catch (const tls_error&) {
      throw;
    } catch (const redis_error& e) {
      if (e.code() != errc::connection && e.code() != errc::timeout) throw;
      if (!unreachable) unreachable = e;
    }
  }
  if (counted == 0 && unreachable) throw_redis_error(unreachable->code(), unreachable->what());
  return total;
}

// The answer channels subscribed on the master of the first one's slot (a classic or streams PUBLISH reaches every
// node; a sharded answer only that shard). A MOVED reply (the slot moved since CLUSTER SLOTS) is followed.
std::unique_ptr<redis_connection> subscribe_on_cluster(const client& c, const request_route& route,
                                                       const cluster_topology& topology) {
  const int slot = key_slot(route.answers.front());
  const cluster_node* owner = topology.master_for(slot);
  if (owner == nullptr)
    throw redis_error(errc::reply, fmt::format("no node of the Redis Cluster serves slot {} (of {})", slot,
                                               route.answers.front()));
  redis_address node = *owner;
  std::vector<redis_command> subscribe;
  for (const auto& channel : route.answers) subscribe.push_back(redis_command{route.subscribe, channel});
  for (int redirects = 0;; ++redirects) {
    auto connection = open_node(c, node);
    const auto replies = connection->pipeline(subscribe);
    std::optional<cluster_redirect> moved;
    for (std::size_t i = 0; i < replies.size() && !moved; ++i) {
      if (replies[i].kind == redis_reply::type::error && redirects < cluster_router::max_redirects)
        moved = parse_redirect(replies[i].text, node.host);
      if (!moved)
        throw_if_error(replies[i], fmt::format("{} {} on {}", route.subscribe, route.answers[i], node.text()),
                       acl_user_of(c.endpoint()));
    }
    if (!moved) return connection;
    node = moved->node;
  }
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
  // Count the servers and subscribe before publishing: pub/sub does not replay.
  std::unique_ptr<redis_connection> answers;
  std::size_t subscribed = 0;
  if (on_cluster(c)) {
    const auto topology = topology_of(c);
    subscribed = count_on_cluster(c, route, topology);
    answers = subscribe_on_cluster(c, route, topology);
  } else {
    answers = open_connection(c);
    std::vector<redis_command> setup{redis_command{"PUBSUB", route.numsub, route.servers}};
    for (const auto& channel : route.answers) setup.push_back(redis_command{route.subscribe, channel});
    const auto replies = answers->pipeline(setup);
    const auto user = acl_user_of(c.endpoint());
    subscribed = numsub_count(replies[0], route, user);
    for (std::size_t i = 0; i < route.answers.size(); ++i)
      throw_if_error(replies[i + 1], fmt::format("{} {}", route.subscribe, route.answers[i]), user);
  }

  const auto published = c.publish(spec.publish);
  if (published.receivers_known) out.request.receivers = published.receivers;
  if (on_cluster(c)) {
    // A (S)PUBLISH reply on a cluster counts one node's subscribers: the sum over the nodes is the count.
    out.servers = subscribed;
  } else {
    // NUMSUB counted the servers just before; PUBLISH's reply counts those that got the request (plus any pattern
    // subscriber). The smaller one leaves out a server that left in between without waiting for it.
    out.servers = std::min(subscribed, static_cast<std::size_t>(std::max(published.receivers, 0LL)));
  }

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
  if (on_cluster(c)) return count_on_cluster(c, route, topology_of(c));
  auto connection = open_connection(c);
  const std::array<redis_command, 1> numsub{redis_command{"PUBSUB", route.numsub, route.servers}};
  return numsub_count(connection->pipeline(numsub).front(), route, acl_user_of(c.endpoint()));
}

}  // namespace sio::detail
