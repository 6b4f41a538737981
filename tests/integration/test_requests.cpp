// Requests that ask the servers (PROTOCOL.md §8) against a real redis-server: the requester's side of the
// protocol, with scripted responders that subscribe the request channel as a Node server does and answer with
// the exact messages PROTOCOL.md §3.3 records from real servers (the real servers, Node and sio-gateway, are in
// tests/gateway/e2e/confirm.test.mjs). What is checked here is what only a scripted peer can provoke: answers on
// both response channels, foreign and malformed traffic, late answers, silent servers.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_server.hpp"
#include "support/scripted_server.hpp"
#include "support/subscriber.hpp"
#include "support/test_values.hpp"
#include "sio/internal/value/notepack_writer.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

using sio::test::member;

sio::Emitter emitter_for(const std::string& url, std::chrono::milliseconds wait = 2000ms) {
  return sio::Emitter(sio::Options{.redis_url = url, .connect_timeout = 2000ms, .command_timeout = 2000ms,
                                   .request_timeout = wait});
}

// What a responder sees of a request: its decoded body (JSON, or msgpack for broadcasts with ack).
sio::value decode_request(const std::string& payload) {
  return payload.front() == '{' ? sio::json(payload) : sio::json(sio::msgpack_to_json(payload));
}

// {"type":9,"requestId":id,"packet":arg} in msgpack, as a Node server publishes a client's ack.
std::string ack_message(const std::string& request_id, const sio::value& arg) {
  std::string out;
  sio::detail::notepack_writer w(out);
  w.map_header(3);
  w.string("type");
  w.integer(9);
  w.string("requestId");
  w.string(request_id);
  w.string("packet");
  w.value(arg);
  return out;
}

// The scripted server's answers from a script over the decoded request.
sio::test::scripted_server::script answering(
    std::function<std::vector<std::pair<std::string, std::string>>(const sio::value&)> answer) {
  return [answer = std::move(answer)](const std::string& payload) { return answer(decode_request(payload)); };
}

std::string id_of(const sio::value& request) { return member(request, "requestId").as_string(); }
std::string uid_of(const sio::value& request) { return member(request, "uid").as_string(); }
std::string quoted(const std::string& s) { return sio::to_json(sio::value(s)); }

constexpr const char* shared_channel = "socket.io-response#/#";
std::string own_channel(const sio::value& request) { return "socket.io-response#/#" + uid_of(request) + "#"; }

}  // namespace

TEST_CASE("requests: with no server the answer is immediate, complete and empty") {
  sio::test::redis_server redis;
  const auto io = emitter_for(redis.url(), 5000ms);
  const auto started = clock_type::now();
  const auto delivery = io.to("user:42").emitWithAck("notification", 1);
  CHECK(clock_type::now() - started < 1s);
  CHECK(delivery.servers == 0);
  CHECK(delivery.answered == 0);
  CHECK(delivery.clients == 0);
  CHECK_FALSE(delivery.timed_out);
  CHECK(delivery.request.channel == "socket.io-request#/#");
  CHECK(delivery.request.receivers == 0);
  CHECK(io.serverCount() == 0);
  CHECK(io.to("user:42").fetchSockets().sockets.empty());
}

TEST_CASE("requests: a server that never answers gives a partial result when the wait ends, not an exception") {
  sio::test::redis_server redis;
  sio::test::subscriber silent(redis, {"socket.io-request#/#"}, sio::test::subscriber::mode::channels);
  const auto io = emitter_for(redis.url());
  CHECK(io.serverCount() == 1);

  const auto started = clock_type::now();
  const auto delivery = io.to("user:42").timeout(300ms).emit_confirmed("notification", 1);
  const auto took = clock_type::now() - started;
  CHECK(took >= 300ms);
  CHECK(took < 2s);
  CHECK(delivery.servers == 1);
  CHECK(delivery.answered == 0);
  CHECK(delivery.timed_out);

  // The silent server got the broadcast-with-ack request: msgpack, the adapter's key order, the event inside.
  const auto request = silent.next_message(1s);
  REQUIRE(request.has_value());
  CHECK(request->channel == "socket.io-request#/#");
  const auto json = sio::msgpack_to_json(request->payload);
  const auto body = sio::json(json);
  const auto& uid = member(body, "uid").as_string();
  const auto& request_id = member(body, "requestId").as_string();
  CHECK(uid.starts_with("sio-"));
  CHECK(uid.size() == 16);
  CHECK(json == R"({"uid":)" + quoted(uid) + R"(,"requestId":)" + quoted(request_id) +
                    R"(,"type":7,"packet":{"type":2,"data":["notification",1],"nsp":"/"},)"
                    R"("opts":{"rooms":["user:42"],"except":[],"flags":{"timeout":300}}})");

  const auto fetched = io.in("user:42").except("banned").timeout(200ms).fetchSockets();
  CHECK(fetched.timed_out);
  CHECK(fetched.servers == 1);
  const auto fetch_request = silent.next_message(1s);
  REQUIRE(fetch_request.has_value());
  const auto fetch_id = id_of(sio::json(fetch_request->payload));
  CHECK(fetch_request->payload == R"({"uid":)" + quoted(uid) + R"(,"requestId":)" + quoted(fetch_id) +
                                      R"(,"type":5,"opts":{"rooms":["user:42"],"except":["banned"]}})");
  CHECK(fetch_id != request_id);  // a fresh id per request, the same uid per emitter
}

TEST_CASE("requests: client counts add up over servers answering on either response channel, strays are ignored") {
  sio::test::redis_server redis;
  // A: the default shared channel; B: publishOnSpecificResponseChannel (the requester's own channel). Each also
  // publishes an answer to another request id and bytes that decode to nothing, as busy channels carry.
  const auto script = [](std::size_t clients, bool own) {
    return [clients, own](const sio::value& request) {
      const auto id = id_of(request);
      const auto channel = own ? own_channel(request) : std::string(shared_channel);
      std::vector<std::pair<std::string, std::string>> out{
          {shared_channel, R"({"type":8,"requestId":"someone-else","clientCount":50})"},
          {channel, "\xc1 not msgpack"},
          {channel, R"({"type":8,"requestId":)" + quoted(id) + R"(,"clientCount":)" + std::to_string(clients) + "}"},
      };
      for (std::size_t i = 0; i < clients; ++i)
        out.emplace_back(channel, ack_message(id, sio::json(R"({"ok":)" + std::to_string(i) + "}")));
      return out;
    };
  };
  sio::test::scripted_server a(redis, answering(script(2, false)));
  sio::test::scripted_server b(redis, answering(script(1, true)));
  const auto io = emitter_for(redis.url());

  const auto confirmed = io.to("user:42").emit_confirmed("notification", sio::json(R"({"type":"T"})"));
  CHECK(confirmed.servers == 2);
  CHECK(confirmed.answered == 2);
  CHECK(confirmed.clients == 3);
  CHECK(confirmed.acks.empty());  // not asked for
  CHECK_FALSE(confirmed.timed_out);

  const auto acked = io.to("user:42").emitWithAck("notification", sio::json(R"({"type":"T"})"));
  CHECK(acked.answered == 2);
  CHECK(acked.clients == 3);
  REQUIRE(acked.acks.size() == 3);
  std::vector<std::string> acks;
  for (const auto& ack : acked.acks) acks.push_back(sio::to_json(ack));
  std::sort(acks.begin(), acks.end());
  CHECK(acks == std::vector<std::string>{R"({"ok":0})", R"({"ok":0})", R"({"ok":1})"});
  CHECK_FALSE(acked.timed_out);

  // The requester never subscribed the request channel: each server saw exactly the 2 servers.
  for (const auto* r : {&a, &b})
    for (const auto& n : r->numsub_at_request()) CHECK(n == "socket.io-request#/#\n2");
}

TEST_CASE("requests: acks still missing at the timeout are reported as partial") {
  sio::test::redis_server redis;
  sio::test::scripted_server one(redis, answering([](const sio::value& request) {
    // 2 sockets written to, one acks.
    return std::vector<std::pair<std::string, std::string>>{
        {shared_channel, R"({"type":8,"requestId":)" + quoted(id_of(request)) + R"(,"clientCount":2})"},
        {shared_channel, ack_message(id_of(request), "first")}};
  }));
  const auto delivery = emitter_for(redis.url()).to("user:42").timeout(300ms).emitWithAck("n");
  CHECK(delivery.answered == 1);
  CHECK(delivery.clients == 2);
  REQUIRE(delivery.acks.size() == 1);
  CHECK(delivery.acks[0] == sio::value("first"));
  CHECK(delivery.timed_out);
}

TEST_CASE("requests: fetchSockets and allSockets gather every server's sockets") {
  sio::test::redis_server redis;
  const auto sockets_of = [](std::vector<std::string> ids) {
    return [ids](const sio::value& request) {
      std::string body;
      if (member(request, "type") == sio::value(5.0)) {
        body = R"({"requestId":)" + quoted(id_of(request)) + R"(,"sockets":[)";
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (i != 0) body += ',';
          body += R"({"id":)" + quoted(ids[i]) + R"(,"handshake":{"auth":{"userId":"42"}},"rooms":[)" +
                  quoted(ids[i]) + R"(,"user:42"],"data":{"n":)" + std::to_string(i) + "}}";
        }
        body += "]}";
      } else {
        body = R"({"requestId":)" + quoted(id_of(request)) + R"(,"sockets":[)";
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (i != 0) body += ',';
          body += quoted(ids[i]);
        }
        body += "]}";
      }
      return std::vector<std::pair<std::string, std::string>>{{shared_channel, body}};
    };
  };
  sio::test::scripted_server a(redis, answering(sockets_of({"aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"})));
  sio::test::scripted_server b(redis, answering(sockets_of({})));
  sio::test::scripted_server c(redis, answering(sockets_of({"cccccccccccccccccccc"})));
  const auto io = emitter_for(redis.url());

  const auto fetched = io.in("user:42").fetchSockets();
  CHECK(fetched.servers == 3);
  CHECK(fetched.answered == 3);
  CHECK_FALSE(fetched.timed_out);
  REQUIRE(fetched.sockets.size() == 3);
  std::vector<std::string> ids;
  for (const auto& s : fetched.sockets) {
    ids.push_back(s.id);
    CHECK(s.rooms == std::vector<std::string>{s.id, "user:42"});
    CHECK(sio::to_json(s.handshake) == R"({"auth":{"userId":"42"}})");
  }
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccc"});

  const auto all = io.in("user:42").allSockets();
  CHECK(all.answered == 3);
  CHECK(all.ids.size() == 3);
  const auto seen = a.requests();
  REQUIRE(seen.size() == 2);
  const auto all_request = sio::json(seen[1]);
  CHECK(seen[1] == R"({"uid":)" + quoted(uid_of(all_request)) + R"(,"requestId":)" + quoted(id_of(all_request)) +
                       R"(,"type":0,"rooms":["user:42"]})");
}

TEST_CASE("requests: serverSideEmitWithAck collects one value per server") {
  sio::test::redis_server redis;
  const auto acks_with = [](std::string data) {
    return [data](const sio::value& request) {
      CHECK(sio::to_json(member(request, "data")) == R"(["ping",{"a":1}])");
      std::string body = R"({"type":6,"requestId":)" + quoted(id_of(request));
      if (!data.empty()) body += R"(,"data":)" + data;
      return std::vector<std::pair<std::string, std::string>>{{shared_channel, body + "}"}};
    };
  };
  sio::test::scripted_server node(redis, answering(acks_with(R"("pong")")));
  sio::test::scripted_server gateway(redis, answering(acks_with("")));  // sio-gateway answers without a value
  const auto acks = emitter_for(redis.url()).serverSideEmitWithAck("ping", sio::json(R"({"a":1})"));
  CHECK(acks.servers == 2);
  CHECK(acks.answered == 2);
  REQUIRE(acks.responses.size() == 2);
  const bool pong_first = acks.responses[0] == sio::value("pong");
  CHECK(acks.responses[pong_first ? 0 : 1] == sio::value("pong"));
  CHECK(acks.responses[pong_first ? 1 : 0].is_undefined());
}

TEST_CASE("requests: bad input is refused before anything is published") {
  sio::test::redis_server redis;
  sio::test::subscriber server(redis, {"socket.io-request#/#"}, sio::test::subscriber::mode::channels);
  const auto io = emitter_for(redis.url());
  CHECK_THROWS_AS(io.to("user:42").emit_confirmed("connect"), sio::data_error);
  CHECK_THROWS_AS(io.to("").fetchSockets(), sio::data_error);
  CHECK_THROWS_WITH_AS(io.to("user:42").except("x").allSockets(),
                       "allSockets() cannot leave rooms out (except); use fetchSockets()", sio::data_error);
  CHECK_THROWS_AS(io.serverSideEmitWithAck("connection"), sio::data_error);
  CHECK_THROWS_AS(io.to("user:42").timeout(0ms), sio::data_error);
  CHECK_FALSE(server.next_message(200ms).has_value());
}

TEST_CASE("requests: Redis failures throw, naming what failed") {
  sio::test::redis_server redis;
  const auto url = redis.url();
  redis.stop();
  const auto io = emitter_for(url);
  CHECK_THROWS_AS(io.to("user:42").emit_confirmed("n"), sio::connection_error);
  CHECK_THROWS_AS(io.serverCount(), sio::connection_error);
}

TEST_CASE("requests: an ACL user that may only publish gets an error naming the refused subscription") {
  sio::test::redis_server redis;
  redis.command({"ACL", "SETUSER", "publisher", "on", ">secret", "resetchannels", "&socket.io*", "-@all",
                 "+publish"});
  const auto io = sio::Emitter(sio::Options{.redis_url = "redis://publisher:secret@127.0.0.1:" +
                                                         std::to_string(redis.port())});
  CHECK_THROWS_WITH_AS(io.to("user:42").emit_confirmed("n"),
                       doctest::Contains("PUBSUB NUMSUB socket.io-request#/# failed: NOPERM"), sio::auth_error);
}

TEST_CASE("requests: dry-run shows the request with placeholder ids and waits for nothing") {
  const auto io = sio::Emitter(sio::Options{.dry_run = true});
  const auto delivery = io.to("user:42").emit_confirmed("n", 1);
  CHECK(delivery.servers == 0);
  CHECK_FALSE(delivery.request.receivers.has_value());
  CHECK(sio::msgpack_to_json(delivery.request.payload) ==
        R"({"uid":"sio-dry-run","requestId":"dry-run","type":7,"packet":{"type":2,"data":["n",1],"nsp":"/"},)"
        R"("opts":{"rooms":["user:42"],"except":[],"flags":{"timeout":5000}}})");
  CHECK(io.of("/admin").in("r").fetchSockets().request.payload ==
        R"({"uid":"sio-dry-run","requestId":"dry-run","type":5,"opts":{"rooms":["r"],"except":[]}})");
}
