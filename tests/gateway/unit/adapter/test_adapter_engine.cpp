// The adapter's Redis side against a real redis-server: subscriptions, broadcasts posted to the I/O thread,
// requests answered on the response channel, reconnects and a prompt stop. A recording sink stands in for the
// Socket.IO layer (the full path through real clients is tested end to end elsewhere).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "../../../support/redis_server.hpp"
#include "../../../support/redis_cluster.hpp"
#include "../../../support/redis_sentinel.hpp"
#include "../../../support/subscriber.hpp"
#include "../../../support/test_certificates.hpp"
#include "adapter/adapter_engine.hpp"
#include "sio/emitter.hpp"
#include "sio/error.hpp"
#include "sio/value.hpp"
#include "test_support.hpp"
#include "sio/internal/protocol/stream_recovery.hpp"
#include "sio/internal/redis/cluster_slots.hpp"
#include "sio/internal/value/notepack_writer.hpp"

using namespace sio::gateway::adapter;
using namespace std::chrono_literals;
using adapter_test::protocol_vector;

namespace {

using strings = std::vector<std::string>;

struct recording_sink final : adapter_sink {
  strings rooms_with_sockets{"user:42", "r1"};
  std::vector<std::pair<std::string, broadcast_message>> broadcasts;
  std::vector<std::string> calls;  // "join /: [room1] except [x] -> [a,b]"
  std::function<void(const sio::value&)> pending_ack;
  sio::value ack_data;
  bool refuse_broadcasts = false;  // broadcast() throws, as the Socket.IO layer does for what it cannot encode

  static std::string list(const strings& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + s[i];
    return out + "]";
  }
  static std::string describe(const sio::gateway::socketio::target& t) {
    return list(t.rooms) + " except " + list(t.except);
  }

  bool has_room(std::string_view, const std::string& room) const override {
    return std::find(rooms_with_sockets.begin(), rooms_with_sockets.end(), room) != rooms_with_sockets.end();
  }
  std::size_t broadcast(std::string_view nsp, const broadcast_message& m) override {
    if (refuse_broadcasts) throw std::runtime_error("refused by the sink");
    broadcasts.emplace_back(std::string(nsp), m);
    return 3;
  }
  std::size_t broadcast_with_ack(std::string_view nsp, const sio::gateway::socketio::target& t,
                                 const sio::value& data, std::function<void(const sio::value&)> on_ack) override {
    calls.push_back("broadcast_with_ack " + std::string(nsp) + ": " + describe(t));
    ack_data = data;
    pending_ack = std::move(on_ack);
    return 2;
  }
  void join(std::string_view nsp, const sio::gateway::socketio::target& t, const strings& rooms) override {
    calls.push_back("join " + std::string(nsp) + ": " + describe(t) + " -> " + list(rooms));
  }
  void leave(std::string_view nsp, const sio::gateway::socketio::target& t, const strings& rooms) override {
    calls.push_back("leave " + std::string(nsp) + ": " + describe(t) + " -> " + list(rooms));
  }
  void disconnect(std::string_view nsp, const sio::gateway::socketio::target& t, bool close) override {
    calls.push_back("disconnect " + std::string(nsp) + ": " + describe(t) + (close ? " close" : ""));
  }
  strings socket_ids(std::string_view, const strings& rooms) const override {
    if (rooms.empty()) return {"s1", "s2"};
    return has_room("/", rooms.front()) ? strings{"s1"} : strings{};
  }
  strings all_rooms(std::string_view) const override { return {"s1", "s2", "user:42"}; }
  std::vector<sio::gateway::socketio::socket_description> fetch_sockets(
      std::string_view, const sio::gateway::socketio::target&) const override {
    sio::gateway::socketio::socket_description d;
    d.id = "s1";
    d.handshake_json = R"({"auth":{}})";
    d.rooms = {"s1", "user:42"};
    return {d};
  }
};

// Runs the I/O thread's work until `done` or 5 s.
bool pump_until(boost::asio::io_context& io, const std::function<bool()>& done,
                std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(10ms);
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

adapter_options options_for(const sio::test::redis_server& redis) {
  adapter_options o;
  o.redis_url = redis.url();
  o.connect_timeout = 2000ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  return o;
}

std::string msgpack_of(std::string_view json_text) {
  std::string out;
  sio::detail::notepack_writer(out).value(sio::json(json_text));
  return out;
}

}  // namespace

TEST_CASE("engine: start throws a connection_error when Redis is unreachable") {
  boost::asio::io_context io;
  recording_sink sink;
  adapter_options o;
  {
    sio::test::redis_server gone;
    o.redis_url = gone.url();
  }  // stopped: nothing listens on that port any more
  o.connect_timeout = 1000ms;
  adapter_engine engine(io, o, sink, {"/"}, "Uid001");
  CHECK_THROWS_AS(engine.start(), sio::connection_error);
}

TEST_CASE("engine: subscribes like a Node adapter and applies the emitter's broadcasts") {
  sio::test::redis_server redis;
  boost::asio::io_context io;
  recording_sink sink;
  adapter_engine engine(io, options_for(redis), sink, {"/", "/admin"}, "Uid001");
  CHECK(engine.uid() == "Uid001");
  engine.start();
  CHECK(engine.stats().redis_connected);
  CHECK(redis.command({"PUBSUB", "NUMPAT"}) == "2");
  CHECK(redis.command({"PUBSUB", "NUMSUB", "socket.io-request#/#"}) == "socket.io-request#/#\n1");
  CHECK(redis.command({"PUBSUB", "NUMSUB", "socket.io-response#/admin#Uid001#"}) ==
        "socket.io-response#/admin#Uid001#\n1");

  const auto v = protocol_vector("new Emitter(c).to(\"user:42\")");
  CHECK(redis.command({"PUBLISH", v.channel, v.payload}) == "1");
  REQUIRE(pump_until(io, [&] { return sink.broadcasts.size() == 1; }));
  CHECK(sink.broadcasts[0].first == "/");
  CHECK(sio::to_json(sink.broadcasts[0].second.data) ==
        R"(["notification",{"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000}])");
  CHECK(sink.broadcasts[0].second.target.rooms == strings{"user:42"});

  // dropped: a room channel without local sockets, our own uid, another namespace's packet
  const std::string to_nobody = msgpack_of(R"(["emitter",{"type":2,"data":["e"],"nsp":"/"},{"rooms":[]}])");
  redis.command({"PUBLISH", "socket.io#/#nobody#", to_nobody});
  redis.command({"PUBLISH", "socket.io#/#", msgpack_of(R"(["Uid001",{"type":2,"data":["e"]},{}])")});
  redis.command({"PUBLISH", "socket.io#/#", msgpack_of(R"(["x",{"type":2,"data":["e"],"nsp":"/admin"},{}])")});
  redis.command({"PUBLISH", "socket.io#/#", "\xc1"});
  const auto admin = protocol_vector("new Emitter(c).of(\"/admin\")");
  redis.command({"PUBLISH", "socket.io#/admin#r1#", admin.payload});  // room r1 exists locally
  REQUIRE(pump_until(io, [&] { return sink.broadcasts.size() == 2; }));
  REQUIRE(pump_until(io, [&] { return engine.stats().malformed_messages == 1; }));
  CHECK(sink.broadcasts[1].first == "/admin");
  CHECK(sink.broadcasts[1].second.flags.volatile_);
  CHECK_FALSE(sink.broadcasts[1].second.flags.compress);
  const auto stats = engine.stats();
  CHECK(stats.broadcasts_received == 2);
  CHECK(stats.broadcasts_ignored == 3);
  CHECK(stats.deliveries == 6);

  const auto started = std::chrono::steady_clock::now();
  engine.stop();
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  CHECK_FALSE(engine.stats().redis_connected);
  CHECK(redis.command({"PUBSUB", "NUMPAT"}) == "0");
}

TEST_CASE("engine: on_malformed is told each malformed message's channel, reason and size, and no ignored one") {
  sio::test::redis_server redis;
  boost::asio::io_context io;
  recording_sink sink;
  std::mutex mutex;  // on_malformed is called from the subscriber thread (requests) and the I/O thread (broadcasts)
  strings told;
  adapter_options o = options_for(redis);
  o.on_malformed = [&](std::string_view channel, std::string_view reason, std::size_t bytes) {
    std::lock_guard lock(mutex);
    told.push_back(fmt::format("{} | {} | {}", channel, reason, bytes));
  };
  adapter_engine engine(io, o, sink, {"/"}, "Uid001");
  engine.start();

  // ignored, not malformed: own uid, another namespace, garbage to a room without local sockets, an unknown type
  redis.command({"PUBLISH", "socket.io#/#", msgpack_of(R"(["Uid001",{"type":2,"data":["e"]},{}])")});
  redis.command({"PUBLISH", "socket.io#/#", msgpack_of(R"(["x",{"type":2,"data":["e"],"nsp":"/admin"},{}])")});
  redis.command({"PUBLISH", "socket.io#/#nobody#", "\xc1"});
  redis.command({"PUBLISH", "socket.io-request#/#", R"({"uid":"x","type":99})"});
  // malformed
  redis.command({"PUBLISH", "socket.io#/#", "\xc1"});
  const std::string no_opts = msgpack_of(R"(["x",{"type":2,"data":["e"],"nsp":"/"}])");
  redis.command({"PUBLISH", "socket.io#/#user:42#", no_opts});
  const std::string fetch_without_opts = R"({"uid":"x","requestId":"q","type":5})";
  redis.command({"PUBLISH", "socket.io-request#/#", fetch_without_opts});
  const std::string valid = msgpack_of(R"(["x",{"type":2,"data":["e"],"nsp":"/"},{}])");
  sink.refuse_broadcasts = true;
  redis.command({"PUBLISH", "socket.io#/#", valid});
  REQUIRE(pump_until(io, [&] {
    const auto s = engine.stats();
    return s.malformed_messages == 4 && s.broadcasts_ignored == 3 && s.requests_received == 2;
  }));
  std::lock_guard lock(mutex);
  std::sort(told.begin(), told.end());  // the two threads may report in either order
  CHECK(told == strings{
                    "socket.io#/# | malformed msgpack: parse error | 1",
                    fmt::format("socket.io#/# | not applied: refused by the sink | {}", valid.size()),
                    fmt::format("socket.io#/#user:42# | opts missing or not an object | {}", no_opts.size()),
                    fmt::format("socket.io-request#/# | opts missing | {}", fetch_without_opts.size()),
                });
}

TEST_CASE("engine: requests are applied and answered on the response channel") {
  sio::test::redis_server redis;
  boost::asio::io_context io;
  recording_sink sink;
  adapter_engine engine(io, options_for(redis), sink, {"/"}, "Uid001");
  engine.start();
  sio::test::subscriber responses(redis, {"socket.io-response#*"});
  const auto next_response = [&] {
    std::optional<sio::test::pubsub_message> m;
    pump_until(io, [&] { return (m = responses.next_message(5ms)).has_value(); });
    REQUIRE(m.has_value());
    CHECK(m->channel == "socket.io-response#/#");
    return m->payload;
  };

  const auto join = protocol_vector("new Emitter(c).in(\"room1\").except(\"x\").socketsJoin");
  redis.command({"PUBLISH", join.channel, join.payload});
  REQUIRE(pump_until(io, [&] { return sink.calls.size() == 1; }));
  CHECK(sink.calls[0] == "join /: [room1] except [x] -> [a,b]");
  redis.command({"PUBLISH", "socket.io-request#/#", protocol_vector("new Emitter(c).disconnectSockets()").payload});
  REQUIRE(pump_until(io, [&] { return sink.calls.size() == 2; }));
  CHECK(sink.calls[1] == "disconnect /: [] except []");

  redis.command({"PUBLISH", "socket.io-request#/#", R"({"uid":"LCTDbq","requestId":"q1","type":0,"rooms":["user:42"]})"});
  CHECK(next_response() == R"({"requestId":"q1","sockets":["s1"]})");
  redis.command({"PUBLISH", "socket.io-request#/#", R"({"uid":"LCTDbq","requestId":"s-h-_J","type":1})"});
  CHECK(next_response() == R"({"requestId":"s-h-_J","rooms":["s1","s2","user:42"]})");
  redis.command({"PUBLISH", "socket.io-request#/#",
                 R"({"uid":"LCTDbq","requestId":"E8GQzn","type":5,"opts":{"rooms":[],"except":[]}})"});
  CHECK(next_response() ==
        R"({"requestId":"E8GQzn","sockets":[{"id":"s1","handshake":{"auth":{}},"rooms":["s1","user:42"],"data":{}}]})");

  redis.command({"PUBLISH", "socket.io-request#/#",
                 msgpack_of(R"({"uid":"LCTDbq","requestId":"12EQCM","type":7,"packet":{"type":2,"data":["q"],)"
                            R"("nsp":"/"},"opts":{"rooms":["r1"],"except":[],"flags":{"timeout":1000}}})")});
  CHECK(next_response() == R"({"type":8,"requestId":"12EQCM","clientCount":2})");
  CHECK(sink.calls.back() == "broadcast_with_ack /: [r1] except []");
  CHECK(sio::to_json(sink.ack_data) == R"(["q"])");
  REQUIRE(sink.pending_ack);
  sink.pending_ack(sio::value("client-ack"));
  CHECK(sio::msgpack_to_json(next_response()) == R"({"type":9,"requestId":"12EQCM","packet":"client-ack"})");

  // serverSideEmit with a requestId: no listeners here, so an empty acknowledgement (Node's requester must not
  // wait 5 s for us); without a requestId nothing is answered, so the next answer is type 1's
  redis.command({"PUBLISH", "socket.io-request#/#", R"({"uid":"LCTDbq","requestId":"AiE1Z2","type":6,"data":["sse",1]})"});
  CHECK(next_response() == R"({"type":6,"requestId":"AiE1Z2"})");
  redis.command({"PUBLISH", "socket.io-request#/#", R"({"uid":"LCTDbq","type":6,"data":["sse",2]})"});
  redis.command({"PUBLISH", "socket.io-request#/#", R"({"uid":"LCTDbq","requestId":"after","type":1})"});
  CHECK(next_response() == R"({"requestId":"after","rooms":["s1","s2","user:42"]})");
  CHECK(engine.stats().requests_received == 9);
}

TEST_CASE("engine: responses keep the requests' order, also across a killed publisher connection") {
  sio::test::redis_server redis;
  boost::asio::io_context io;
  recording_sink sink;
  adapter_engine engine(io, options_for(redis), sink, {"/"}, "Uid001");
  engine.start();
  sio::test::subscriber responses(redis, {"socket.io-response#*"});
  const auto ask = [&](int from, int to) {
    for (int i = from; i < to; ++i)
      redis.command({"PUBLISH", "socket.io-request#/#",
                     fmt::format(R"({{"uid":"LCTDbq","requestId":"q{}","type":1}})", i)});
  };
  const auto answered = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      std::optional<sio::test::pubsub_message> m;
      REQUIRE(pump_until(io, [&] { return (m = responses.next_message(5ms)).has_value(); }));
      CHECK(m->payload == fmt::format(R"({{"requestId":"q{}","rooms":["s1","s2","user:42"]}})", i));
    }
  };
  ask(0, 50);
  answered(0, 50);
  // The publisher's connection (the only normal client besides the one killing); the subscriber is pubsub.
  CHECK(redis.command({"CLIENT", "KILL", "TYPE", "normal"}) == "1");
  // Once the publisher has seen the close (a response written into the dead socket before would fail, as it may
  // have reached Redis), the next responses wait for the new connection or go out on it, in order.
  std::this_thread::sleep_for(50ms);
  ask(50, 100);
  answered(50, 100);
  CHECK(engine.stats().requests_received == 100);
}

TEST_CASE("engine: responses Redis refuses are told to on_problem, one per interval and the rest counted at stop") {
  sio::test::redis_server redis;
  CHECK(redis.command({"ACL", "SETUSER", "gateway", "on", ">gateway-password", "~*", "&*", "+@all"}) == "OK");
  boost::asio::io_context io;
  recording_sink sink;
  auto o = options_for(redis);
  o.redis_url = fmt::format("redis://gateway:gateway-password@127.0.0.1:{}", redis.port());
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> problems;
  o.on_problem = [&](std::string_view what, std::string_view error) {
    std::lock_guard lock(mutex);
    problems.emplace_back(what, error);
  };
  const auto problem_count = [&] {
    std::lock_guard lock(mutex);
    return problems.size();
  };
  {
    adapter_engine engine(io, o, sink, {"/"}, "Uid001");
    engine.start();
    CHECK(redis.command({"ACL", "SETUSER", "gateway", "-publish"}) == "OK");
    for (int i = 0; i < 3; ++i)
      redis.command({"PUBLISH", "socket.io-request#/#",
                     fmt::format(R"({{"uid":"LCTDbq","requestId":"q{}","type":1}})", i)});
    REQUIRE(pump_until(io, [&] { return engine.stats().requests_received == 3 && problem_count() == 1; }));
    const auto later = std::chrono::steady_clock::now() + 200ms;  // the other two are applied and refused
    pump_until(io, [&] { return std::chrono::steady_clock::now() > later; });
    CHECK(problem_count() == 1);
    engine.stop();
  }
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].first == "redis response not published");
  CHECK(problems[0].second.find("PUBLISH socket.io-response#/#: PUBLISH failed: NOPERM") == 0);
  CHECK(problems[0].second.find("ACL SETUSER gateway +publish") != std::string::npos);
  CHECK(problems[1].first == "redis response not published");
  CHECK(problems[1].second == "2 more responses not published, not logged");
}

TEST_CASE("engine: reconnects and resubscribes after the connection is killed") {
  sio::test::redis_server redis;
  boost::asio::io_context io;
  recording_sink sink;
  adapter_engine engine(io, options_for(redis), sink, {"/"}, "Uid001");
  engine.start();
  CHECK(redis.command({"CLIENT", "KILL", "TYPE", "pubsub"}) == "1");
  REQUIRE(pump_until(io, [&] { return engine.stats().reconnects == 1 && engine.stats().redis_connected; }));
  CHECK(redis.command({"PUBSUB", "NUMPAT"}) == "1");
  const auto v = protocol_vector("new Emitter(c).emit(\"hello\")");
  CHECK(redis.command({"PUBLISH", v.channel, v.payload}) == "1");
  REQUIRE(pump_until(io, [&] { return sink.broadcasts.size() == 1; }));
  CHECK(sio::to_json(sink.broadcasts[0].second.data) == R"(["hello"])");
}

TEST_CASE("engine: what the C++ sio::Emitter publishes reaches the sink") {
  sio::test::redis_server redis;
  boost::asio::io_context io;
  recording_sink sink;
  adapter_engine engine(io, options_for(redis), sink, {"/"}, "Uid001");
  engine.start();
  sio::Emitter emitter(redis.url());
  emitter.to("user:42").except("muted").emit("notification", sio::json(R"({"type":"ORDER_UPDATED"})"));
  emitter.in("user:42").socketsJoin("vip");
  REQUIRE(pump_until(io, [&] { return sink.broadcasts.size() == 1 && sink.calls.size() == 1; }));
  CHECK(sio::to_json(sink.broadcasts[0].second.data) == R"(["notification",{"type":"ORDER_UPDATED"}])");
  CHECK(sink.broadcasts[0].second.target.rooms == strings{"user:42"});
  CHECK(sink.broadcasts[0].second.target.except == strings{"muted"});
  CHECK(sink.calls[0] == "join /: [user:42] except [] -> [vip]");
}

TEST_CASE("engine: subscribes, answers requests and reports a refused certificate over TLS (rediss://)") {
  const sio::test::test_certificates certificates;
  sio::test::redis_server_options server_options;
  server_options.tls = sio::test::redis_server_options::tls_files{
      certificates.server().cert_file, certificates.server().key_file, certificates.ca_file(), false};
  sio::test::redis_server redis(server_options);
  boost::asio::io_context io;
  recording_sink sink;
  auto o = options_for(redis);
  o.redis_url = redis.tls_url();
  o.tls.ca_file = certificates.ca_file();

  SUBCASE("the emitter's broadcasts and requests arrive over TLS") {
    adapter_engine engine(io, o, sink, {"/"}, "Uid001");
    engine.start();
    CHECK(redis.command({"PUBSUB", "NUMPAT"}) == "1");
    sio::Options emitter_options;
    emitter_options.redis_url = redis.tls_url();
    emitter_options.tls.ca_file = certificates.ca_file();
    sio::Emitter emitter(emitter_options);
    emitter.to("user:42").emit("notification", sio::json(R"({"type":"ORDER_UPDATED"})"));
    emitter.in("user:42").socketsJoin("vip");
    REQUIRE(pump_until(io, [&] { return sink.broadcasts.size() == 1 && sink.calls.size() == 1; }));
    CHECK(sio::to_json(sink.broadcasts[0].second.data) == R"(["notification",{"type":"ORDER_UPDATED"}])");
    CHECK(emitter.serverCount() == 1);
  }
  SUBCASE("a CA that did not sign the server's certificate: start throws sio::tls_error") {
    o.tls.ca_file = certificates.other_ca_file();
    adapter_engine engine(io, o, sink, {"/"}, "Uid001");
    CHECK_THROWS_AS(engine.start(), sio::tls_error);
  }
}

TEST_CASE("engine: through Sentinel, each mode: subscribed on the master, and on the new one after a failover") {
  using mode = sio::Options::adapter_mode;
  for (const mode m : {mode::classic, mode::sharded, mode::streams}) {
    CAPTURE(static_cast<int>(m));
    sio::test::redis_sentinel deployment;
    boost::asio::io_context io;
    recording_sink sink;
    adapter_options o;
    o.redis_url = deployment.url();
    o.mode = m;
    o.connect_timeout = 2000ms;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    adapter_engine engine(io, o, sink, {"/"}, "Uid001");
    engine.start();
    sio::Options eo;
    eo.redis_url = deployment.url();
    eo.mode = m;
    eo.connect_timeout = 2000ms;
    eo.command_timeout = 2000ms;
    eo.reconnect_delay = 20ms;
    eo.max_reconnect_delay = 200ms;
    const sio::Emitter emitter(eo);
    // Emits `event` until the sink got it (the emitter and the engine each find the new master themselves).
    const auto delivered = [&](const std::string& event) {
      const auto deadline = std::chrono::steady_clock::now() + 15s;
      while (std::chrono::steady_clock::now() < deadline) {
        emitter.emit(event);  // to every socket: the main channel in every mode
        if (pump_until(io, [&] {
              return std::any_of(sink.broadcasts.begin(), sink.broadcasts.end(), [&](const auto& b) {
                return sio::to_json(b.second.data) == "[\"" + event + "\"]";
              });
            }))
          return true;
      }
      return false;
    };
    REQUIRE(delivered("before"));
    const int new_port = deployment.replica().port();
    deployment.start_failover();
    deployment.wait_for_master_port(new_port, 10s);
    sio::test::redis_sentinel::wait_for_role(deployment.master(), "slave", 15s);  // its clients killed
    CHECK(delivered("after"));
    // Subscribed on the new master now (the old one's clients were killed by the sentinel).
    const std::vector<std::string> count =
        m == mode::classic   ? std::vector<std::string>{"PUBSUB", "NUMPAT"}
        : m == mode::sharded ? std::vector<std::string>{"PUBSUB", "SHARDNUMSUB", "socket.io#/#"}
                             : std::vector<std::string>{"PUBSUB", "NUMSUB", "socket.io#/#"};
    const std::string subscribed = m == mode::classic ? "1" : "socket.io#/#\n1";
    CHECK(pump_until(io, [&] { return deployment.replica().command(count) == subscribed; }));
    CHECK(pump_until(io, [&] {
      const auto st = engine.stats();
      return st.redis_connected && st.streams_connected == st.streams;
    }));
    engine.stop();
  }
}

namespace {

// One emit of a stream of `total`, published on another thread while the I/O thread is pumped and `reshard` runs
// in the middle: each emit's outcome, and the numbers the sink got, in order.
struct numbered_stream {
  std::vector<std::atomic<int>> ended;
  std::vector<std::atomic<long long>> receivers;
  std::vector<std::string> offsets;  // streams: each entry's id
  std::mutex mutex;
  explicit numbered_stream(int total) : ended(static_cast<std::size_t>(total)), receivers(static_cast<std::size_t>(total)),
                                        offsets(static_cast<std::size_t>(total)) {}
};

std::vector<int> numbers_received(const recording_sink& sink) {
  std::vector<int> out;
  for (const auto& [nsp, b] : sink.broadcasts) {
    const auto& data = b.data.as_array();
    if (data.size() >= 2 && data[0].type() == sio::value::kind::string && data[0].as_string() == "n")
      out.push_back(static_cast<int>(data[1].as_number()));
  }
  return out;
}

void run_numbered_stream(boost::asio::io_context& io, const sio::Emitter& emitter, numbered_stream& s, int total,
                         const std::function<void()>& reshard) {
  std::atomic<int> sent{0};
  std::thread producer([&] {
    for (int n = 0; n < total; ++n) {
      const auto at = static_cast<std::size_t>(n);
      emitter.emit_args("n", sio::json_args("[" + std::to_string(n) + "]"), [&s, at](const sio::Outcome& outcome) {
        std::lock_guard lock(s.mutex);
        s.receivers[at] = outcome.ok() ? outcome.receivers : -1;
        s.offsets[at] = outcome.offset;
        ++s.ended[at];
      });
      sent = n + 1;
      std::this_thread::sleep_for(1ms);
    }
  });
  std::thread mover([&] {
    while (sent < total / 5) std::this_thread::sleep_for(1ms);
    reshard();
  });
  while (sent < total) pump_until(io, [] { return false; }, 20ms);
  producer.join();
  mover.join();
  emitter.flush(10s);
}

}  // namespace

TEST_CASE("engine on a Redis Cluster, sharded: the main channel's slot moved during 2000 SPUBLISHes: none Redis delivered is lost") {
  sio::test::redis_cluster cluster(3);
  const std::string channel = "socket.io#/#";
  const auto from = cluster.owner_of(channel);
  const auto to = (from + 1) % 3;
  boost::asio::io_context io;
  recording_sink sink;
  adapter_options o;
  o.redis_url = "redis+cluster://127.0.0.1:" + std::to_string(cluster.node((from + 2) % 3).port());  // not the owner
  o.mode = sio::Options::adapter_mode::sharded;
  o.subscription = sio::Options::subscription_mode::static_;
  o.connect_timeout = 2000ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  std::vector<std::string> problems;
  std::mutex problems_mutex;
  o.on_problem = [&](std::string_view what, std::string_view error) {
    std::lock_guard lock(problems_mutex);
    problems.push_back(std::string(what) + ": " + std::string(error));
  };
  adapter_engine engine(io, o, sink, {"/"}, "Uid001");
  engine.start();
  CHECK(cluster.node(from).command({"PUBSUB", "SHARDNUMSUB", channel}) == channel + "\n1");
  sio::Options eo;
  eo.redis_url = o.redis_url;
  eo.mode = sio::Options::adapter_mode::sharded;
  eo.subscription = sio::Options::subscription_mode::static_;
  eo.connect_timeout = 2000ms;
  eo.command_timeout = 5000ms;
  const sio::Emitter emitter(eo);

  constexpr int total = 2000;
  numbered_stream s(total);
  run_numbered_stream(io, emitter, s, total, [&] {
    cluster.move_slot(sio::detail::key_slot(channel), from, to, {}, [] { std::this_thread::sleep_for(100ms); });
  });
  // Subscribed again on the new owner, which Redis told by unsubscribing the channel on the old one.
  REQUIRE(pump_until(io, [&] { return cluster.node(to).command({"PUBSUB", "SHARDNUMSUB", channel}) == channel + "\n1"; }));
  const auto after = emitter.emit_sync("n", total);
  CHECK(after.receivers == 1);
  int delivered_by_redis = 0, not_ended = 0;
  for (int n = 0; n < total; ++n) {
    const auto at = static_cast<std::size_t>(n);
    if (s.ended[at] != 1) ++not_ended;
    if (s.receivers[at] >= 1) ++delivered_by_redis;
  }
  REQUIRE(pump_until(io, [&] {
    const auto got = numbers_received(sink);
    return !got.empty() && got.back() == total;
  }));
  const auto got = numbers_received(sink);
  std::set<int> seen;
  int duplicates = 0, lost = 0;
  for (int n : got)
    if (!seen.insert(n).second) ++duplicates;
  for (int n = 0; n < total; ++n)
    if (s.receivers[static_cast<std::size_t>(n)] >= 1 && !seen.contains(n)) ++lost;
  int first_zero = -1, last_zero = -1;
  for (int n = 0; n < total; ++n)
    if (s.receivers[static_cast<std::size_t>(n)] < 1) {
      if (first_zero < 0) first_zero = n;
      last_zero = n;
    }
  MESSAGE("emits that reached no subscriber: " << (first_zero < 0 ? std::string("none")
                                                                   : fmt::format("{}..{}", first_zero, last_zero)));
  MESSAGE("sharded slot move: " << delivered_by_redis << " of " << total << " SPUBLISHes reached a subscriber, "
                                << got.size() - 1 << " reached the engine, " << lost << " lost, " << duplicates
                                << " duplicates; " << problems.size() << " problems told");
  CHECK(not_ended == 0);
  CHECK(lost == 0);
  CHECK(duplicates == 0);
  // Only those published between Redis unsubscribing the channel and the engine subscribing it on the new owner miss
  // (none here; the engine waited for its next message before resubscribing, and ~450 missed).
  CHECK(delivered_by_redis >= total * 95 / 100);
  {
    std::lock_guard lock(problems_mutex);
    CHECK(std::any_of(problems.begin(), problems.end(),
                      [](const std::string& p) { return p.starts_with("redis shard channel moved"); }));
  }
  engine.stop();
}

TEST_CASE("engine on a Redis Cluster, streams: the stream migrated during 2000 XADDs: every entry once, in stream order") {
  sio::test::redis_cluster cluster(3);
  const std::string stream = "socket.io";
  const auto from = cluster.owner_of(stream);
  const auto to = (from + 1) % 3;
  boost::asio::io_context io;
  recording_sink sink;
  adapter_options o;
  o.redis_url = "redis+cluster://127.0.0.1:" + std::to_string(cluster.node((from + 2) % 3).port());
  o.mode = sio::Options::adapter_mode::streams;
  o.connect_timeout = 2000ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  o.on_problem = [](std::string_view, std::string_view) {};
  adapter_engine engine(io, o, sink, {"/"}, "Uid001");
  engine.start();
  sio::Options eo;
  eo.redis_url = o.redis_url;
  eo.mode = sio::Options::adapter_mode::streams;
  eo.connect_timeout = 2000ms;
  eo.command_timeout = 5000ms;
  const sio::Emitter emitter(eo);

  constexpr int total = 2000;
  numbered_stream s(total);
  run_numbered_stream(io, emitter, s, total, [&] {
    cluster.move_slot(sio::detail::key_slot(stream), from, to, {stream}, [] { std::this_thread::sleep_for(100ms); });
  });
  CHECK(emitter.emit_sync("n", total).offset.size() > 0);
  REQUIRE(pump_until(io, [&] {
    const auto got = numbers_received(sink);
    return !got.empty() && got.back() == total;
  }, 15s));
  const auto got = numbers_received(sink);
  // The stream's order: the acknowledged emits sorted by entry id.
  std::vector<std::pair<std::string, int>> by_offset;
  int failed = 0;
  for (int n = 0; n < total; ++n) {
    const auto at = static_cast<std::size_t>(n);
    if (s.receivers[at] < 0 || s.offsets[at].empty()) {
      ++failed;
      continue;
    }
    by_offset.emplace_back(s.offsets[at], n);
  }
  std::sort(by_offset.begin(), by_offset.end(), [](const auto& a, const auto& b) {
    return sio::detail::compare_stream_offsets(a.first, b.first) < 0;
  });
  std::vector<int> expected;
  for (const auto& e : by_offset) expected.push_back(e.second);
  expected.push_back(total);
  MESSAGE("streams migration: " << total - failed << " XADDs acknowledged, " << got.size() - 1
                                << " entries reached the engine; reader on node " << to);
  CHECK(failed == 0);
  CHECK(got == expected);  // every acknowledged entry, once, in the stream's order
  CHECK(cluster.node(to).command({"EXISTS", stream}) == "1");  // the reader followed it there
  CHECK(engine.stats().streams_connected == 1);
  engine.stop();
}
