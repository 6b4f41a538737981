// The sharded and streams modes of the public Emitter against a real redis-server 7: the command each sends and
// what Redis answers (receivers for SPUBLISH, the entry id for XADD, through emit_sync and through Completions),
// stream naming and trimming, and requests refused outside the classic mode. Delivery through real Node servers on
// those adapters is tested in tests/gateway/e2e/adapter-modes.test.mjs.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "sio/emitter.hpp"
#include "support/redis_server.hpp"
#include "support/test_values.hpp"

using namespace std::chrono_literals;

namespace {

sio::Options options_for(const std::string& url, sio::Options::adapter_mode mode) {
  sio::Options o;
  o.redis_url = url;
  o.connect_timeout = 2000ms;
  o.command_timeout = 2000ms;
  o.mode = mode;
  return o;
}

bool is_entry_id(const std::string& id) {
  const auto dash = id.find('-');
  return dash != std::string::npos && dash > 0 && dash + 1 < id.size() &&
         id.find_first_not_of("0123456789-") == std::string::npos;
}

}  // namespace

TEST_CASE("streams mode: XADD with the streams emitter's fields, the entry id returned to the caller") {
  sio::test::redis_server redis;
  const sio::Emitter io(options_for(redis.url(), sio::Options::adapter_mode::streams));

  const auto published = io.to("user:42").emit_sync("notification", sio::json(R"({"type":"T"})"));
  CHECK(published.command == "XADD");
  CHECK(published.channel == "socket.io");
  CHECK_FALSE(published.receivers.has_value());
  REQUIRE(is_entry_id(published.offset));
  CHECK(published.payload ==
        R"({"packet":{"type":2,"data":["notification",{"type":"T"}],"nsp":"/"},"opts":{"rooms":["user:42"],"flags":{},"except":[]}})");
  // What Redis stored: the entry under that id, with the fields in order.
  CHECK(redis.command({"XRANGE", "socket.io", published.offset, published.offset}) ==
        published.offset + "\nuid\nemitter\nnsp\n/\ntype\n3\ndata\n" + published.payload);

  // Queued emits get their entry ids through their completions, in order.
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    io.to("user:42").emit_args("n", sio::json_args("[" + std::to_string(i) + "]"), [&](const sio::Outcome& outcome) {
      std::lock_guard lock(mutex);
      CHECK(outcome.ok());
      CHECK(outcome.receivers == 0);
      ids.push_back(outcome.offset);
      cv.notify_one();
    });
  io.flush(2000ms);
  {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, 2s, [&] { return ids.size() == 3; });
  }
  REQUIRE(ids.size() == 3);
  for (const auto& id : ids) CHECK(is_entry_id(id));
  CHECK(ids[0] < ids[1]);  // same length ids from one connection: lexical order is entry order here
  CHECK(redis.command({"XLEN", "socket.io"}) == "4");

  // socketsJoin, serverSideEmit: entries of types 4 and 9.
  const auto join = io.to("user:42").socketsJoin("vip");
  CHECK(redis.command({"XRANGE", "socket.io", join.offset, join.offset}).find("\ntype\n4\n") != std::string::npos);
  const auto sse = io.serverSideEmit("hello", 1);
  CHECK(redis.command({"XRANGE", "socket.io", sse.offset, sse.offset}).find("\ntype\n9\n") != std::string::npos);
}

TEST_CASE("streams mode: streamName, streamCount and maxLen as the adapter's options") {
  sio::test::redis_server redis;
  auto o = options_for(redis.url(), sio::Options::adapter_mode::streams);
  o.stream_name = "app";
  o.stream_count = 3;
  o.stream_max_len = 10;
  const sio::Emitter io(o);
  // hashCode("/") % 3 = 2, hashCode("/admin") % 3 = 1: where the adapter's own publisher writes.
  CHECK(io.emit_sync("e").channel == "app-2");
  CHECK(io.of("/admin").emit_sync("e").channel == "app-1");
  for (int i = 0; i < 500; ++i) io.emit("e", i);
  io.flush(2000ms);
  // MAXLEN ~ 10 trims whole macro nodes: about 10 entries, far fewer than 500.
  CHECK(std::stoi(redis.command({"XLEN", "app-2"})) < 200);

  CHECK(sio::test::error_message_of([&] {
          auto bad = o;
          bad.stream_count = 0;
          sio::Emitter{bad};
        }) == "the stream count must be at least 1");
}

TEST_CASE("sharded mode: SPUBLISH on the channel the servers' subscription mode reads, receivers counted") {
  sio::test::redis_server redis;
  auto o = options_for(redis.url(), sio::Options::adapter_mode::sharded);
  const sio::Emitter dynamic(o);
  const auto to_room = dynamic.to("user:42").emit_sync("e");
  CHECK(to_room.command == "SPUBLISH");
  CHECK(to_room.channel == "socket.io#/#user:42#");
  CHECK(to_room.receivers == 0);  // nobody subscribes here; what a dynamic server subscribes while it has the room
  CHECK(to_room.payload ==
        R"({"type":3,"data":{"packet":{"type":2,"data":["e"]},"opts":{"rooms":["user:42"],"except":[],"flags":{}}},"uid":"emitter","nsp":"/"})");
  o.subscription = sio::Options::subscription_mode::static_;
  const sio::Emitter fixed(o);
  CHECK(fixed.to("user:42").emit_sync("e").channel == "socket.io#/#");
}

TEST_CASE("streams mode: a request PUBLISHes msgpack on <prefix>#<nsp>#, answers on the emitter uid's channel") {
  sio::test::redis_server redis;
  auto o = options_for(redis.url(), sio::Options::adapter_mode::streams);
  o.request_timeout = std::chrono::milliseconds(500);
  const sio::Emitter io(o);
  CHECK(io.serverCount() == 0);
  const auto delivery = io.to("user:42").emit_confirmed("e");
  CHECK(delivery.request.command == "PUBLISH");
  CHECK(delivery.request.channel == "socket.io#/#");
  CHECK(delivery.request.offset.empty());  // ephemeral, as the adapter's own: not in the stream
  CHECK(delivery.servers == 0);
  CHECK_FALSE(delivery.timed_out);
  CHECK(io.to("user:42").fetchSockets().sockets.empty());
  const auto stats = redis.command({"INFO", "commandstats"});
  CHECK(stats.find("cmdstat_publish:calls=2") != std::string::npos);
  CHECK(stats.find("cmdstat_xadd:") == std::string::npos);
  CHECK(redis.command({"PUBSUB", "NUMSUB", "socket.io#/#"}) == "socket.io#/#\n0");
}

// Servers answering, in every subscription mode, are tested with real Node servers (tests/gateway/e2e
// confirm-sharded-*.test.mjs); here, what the requester itself does on the wire.
TEST_CASE("sharded mode: a request SPUBLISHes on the main channel, counts SHARDNUMSUB, never subscribes it") {
  sio::test::redis_server redis;
  auto o = options_for(redis.url(), sio::Options::adapter_mode::sharded);
  o.request_timeout = std::chrono::milliseconds(500);
  const sio::Emitter io(o);
  CHECK(io.serverCount() == 0);
  const auto delivery = io.to("user:42").emit_confirmed("e");
  CHECK(delivery.request.command == "SPUBLISH");
  CHECK(delivery.request.channel == "socket.io#/#");
  CHECK(delivery.servers == 0);
  CHECK(delivery.clients == 0);
  CHECK_FALSE(delivery.timed_out);
  CHECK(io.to("user:42").fetchSockets().sockets.empty());
  CHECK(io.serverSideEmitWithAck("hello").responses.empty());
  const auto stats = redis.command({"INFO", "commandstats"});
  CHECK(stats.find("cmdstat_spublish:calls=3") != std::string::npos);
  CHECK(stats.find("cmdstat_publish:") == std::string::npos);
  CHECK(stats.find("cmdstat_subscribe:") == std::string::npos);
  CHECK(redis.command({"PUBSUB", "SHARDNUMSUB", "socket.io#/#"}) == "socket.io#/#\n0");
}
