// redis_adapter wired to a real socketio::server: what the emitter publishes through a real redis-server is
// written to a Socket.IO socket as a Node server writes it (PROTOCOL.md §9.1), and presence requests see it.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "../../../support/redis_server.hpp"
#include "../../../support/subscriber.hpp"
#include "adapter/redis_adapter.hpp"
#include "auth/authenticators.hpp"
#include "engineio/session.hpp"
#include "socketio/server.hpp"
#include "test_support.hpp"
#include "sio/internal/value/notepack_writer.hpp"

using namespace sio::gateway;
using namespace std::chrono_literals;

namespace {

// An Engine.IO session that records what the Socket.IO layer sends it.
class recording_session final : public engineio::session {
 public:
  explicit recording_session(std::string id) : id_(std::move(id)) {}
  const std::string& id() const noexcept override { return id_; }
  const engineio::handshake_info& handshake() const noexcept override { return handshake_; }
  std::string_view transport() const noexcept override { return "websocket"; }
  void send(std::shared_ptr<const outgoing_packet> packet, bool) override { sent.push_back(packet->text); }
  bool writable() const noexcept override { return true; }
  void close(std::string_view) override { closed = true; }

  std::vector<std::string> sent;
  bool closed = false;

 private:
  std::string id_;
  engineio::handshake_info handshake_;
};

bool pump_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(10ms);
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

}  // namespace

TEST_CASE("redis_adapter: an emitter broadcast reaches the socket of user 42 only") {
  sio::test::redis_server redis;
  boost::asio::io_context io;
  const auto auth = auth::make_trusted_authenticator();
  socketio::server sockets(io, socketio::server_options{}, *auth, socketio::server_hooks{});

  auto alice = std::make_shared<recording_session>("AAAAAAAAAAAAAAAAAAAA");
  auto bob = std::make_shared<recording_session>("BBBBBBBBBBBBBBBBBBBB");
  sockets.on_open(alice);
  sockets.on_open(bob);
  sockets.on_message(alice, R"(0{"userId":"42"})", false);
  sockets.on_message(bob, R"(0{"userId":"7"})", false);
  REQUIRE(alice->sent.size() == 1);
  REQUIRE(bob->sent.size() == 1);
  CHECK(alice->sent[0].starts_with("40{\"sid\":"));

  adapter::adapter_options options;
  options.redis_url = redis.url();
  options.connect_timeout = 2000ms;
  adapter::redis_adapter adapter(io, options, sockets);
  CHECK(adapter.uid().size() == 6);
  adapter.start();
  CHECK(adapter.stats().redis_connected);

  const auto v = adapter_test::protocol_vector("new Emitter(c).to(\"user:42\")");
  CHECK(redis.command({"PUBLISH", v.channel, v.payload}) == "1");
  REQUIRE(pump_until(io, [&] { return alice->sent.size() == 2; }));
  CHECK(alice->sent[1] ==
        R"(42["notification",{"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000}])");
  CHECK(bob->sent.size() == 1);
  CHECK(adapter.stats().broadcasts_received == 1);
  CHECK(adapter.stats().deliveries == 1);

  // The room suffix only pre-filters: opts.rooms targets (PROTOCOL 3.2, checked against Node).
  const auto broadcast = [](std::string_view rooms) {
    std::string out;
    sio::detail::notepack_writer(out).value(
        sio::json(R"(["emitter",{"type":2,"data":["e",1],"nsp":"/"},{"rooms":)" + std::string(rooms) + "}]"));
    return out;
  };
  redis.command({"PUBLISH", "socket.io#/#", broadcast(R"(["user:42"])")});  // base channel, one room: delivered
  REQUIRE(pump_until(io, [&] { return alice->sent.size() == 3; }));
  CHECK(alice->sent[2] == R"(42["e",1])");
  redis.command({"PUBLISH", "socket.io#/#nobody#", broadcast("[]")});  // unknown room channel: dropped everywhere
  redis.command({"PUBLISH", "socket.io#/#user:7#", broadcast("[]")});  // bob's room: all sockets get it
  REQUIRE(pump_until(io, [&] { return bob->sent.size() == 2; }));
  CHECK(bob->sent[1] == R"(42["e",1])");
  REQUIRE(pump_until(io, [&] { return alice->sent.size() == 4; }));
  CHECK(alice->sent[3] == R"(42["e",1])");
  CHECK(adapter.stats().broadcasts_ignored == 1);

  // presence: type 0 for user:42 answers with alice's socket id (taken from the CONNECT reply)
  const std::string connect_reply = alice->sent[0];
  const std::string alice_sid = connect_reply.substr(10, connect_reply.find('"', 10) - 10);
  sio::test::subscriber responses(redis, {"socket.io-response#*"});
  redis.command({"PUBLISH", "socket.io-request#/#", R"({"uid":"LCTDbq","requestId":"q1","type":0,"rooms":["user:42"]})"});
  std::optional<sio::test::pubsub_message> answer;
  REQUIRE(pump_until(io, [&] { return (answer = responses.next_message(5ms)).has_value(); }));
  CHECK(answer->channel == "socket.io-response#/#");
  CHECK(answer->payload == R"({"requestId":"q1","sockets":[")" + alice_sid + R"("]})");

  adapter.stop();
  CHECK_FALSE(adapter.stats().redis_connected);
}
