// redis_connection against a real redis-server: PUBLISH, pipelining, AUTH and ACL, unix sockets, timeouts, SELECT.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sio/internal/redis/redis_connection.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/error.hpp"
#include "support/redis_server.hpp"
#include "support/subscriber.hpp"

namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using namespace std::string_view_literals;
using sio::detail::parse_redis_url;
using sio::detail::redis_command;
using sio::detail::redis_connection;
using sio::detail::redis_reply;
using sio::test::redis_server;
using sio::test::redis_server_options;
using sio::test::subscriber;
using clock_type = std::chrono::steady_clock;

constexpr auto fast = 2000ms;

redis_connection connect(const std::string& url, std::chrono::milliseconds command_timeout = fast) {
  return redis_connection(parse_redis_url(url), fast, command_timeout);
}

redis_reply run(redis_connection& connection, const redis_command& command) {
  auto replies = connection.pipeline(std::span(&command, 1));
  REQUIRE(replies.size() == 1);
  return replies.front();
}

long long publish(redis_connection& connection, std::string_view channel, std::string_view payload) {
  const auto reply = run(connection, {"PUBLISH", channel, payload});
  sio::detail::throw_if_error(reply, "PUBLISH " + std::string(channel));
  REQUIRE(reply.kind == redis_reply::type::integer);
  return reply.integer;
}

std::string with_credentials(const redis_server& server, const std::string& userinfo) {
  return "redis://" + userinfo + "@127.0.0.1:" + std::to_string(server.port());
}

// The exception's message, checked for the pieces a user needs and for the secret it must never show.
template <typename Error, typename Action>
std::string message_of(Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  FAIL("expected an exception");
  return {};
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

}  // namespace

TEST_SUITE("redis_connection") {

TEST_CASE("redis_connection: PUBLISH returns the receiver count and the subscriber gets the exact bytes") {
  redis_server server;
  auto connection = connect(server.url());
  CHECK(publish(connection, "socket.io#/#", "nobody listens") == 0);

  subscriber listener(server, {"socket.io*"});
  const auto payload = "\x93\xa6" "emitter\0zero\r\ncrlf\xff\xfe end"s;
  const auto channel = "socket.io#/chat#room\0x#"s;
  CHECK(publish(connection, channel, payload) == 1);

  const auto message = listener.next_message(2s);
  REQUIRE(message.has_value());
  CHECK(message->pattern == "socket.io*");
  CHECK(message->channel == channel);
  CHECK(message->payload == payload);
  CHECK(message->payload.size() == payload.size());
  CHECK_FALSE(listener.next_message(50ms).has_value());
  CHECK_FALSE(connection.broken());
}

TEST_CASE("redis_connection: an empty argument is sent as an empty bulk string") {
  redis_server server;
  subscriber listener(server, {"*"});
  auto connection = connect(server.url());
  CHECK(publish(connection, "c", "") == 1);
  const auto message = listener.next_message(2s);
  REQUIRE(message.has_value());
  CHECK(message->payload.empty());
}

TEST_CASE("redis_connection: pipelining 1000 PUBLISHes returns 1000 replies and delivers the messages in order") {
  redis_server server;
  subscriber listener(server, {"socket.io#*"});
  auto connection = connect(server.url());

  std::vector<std::string> payloads;
  for (int i = 0; i < 1000; ++i) payloads.push_back("message " + std::to_string(i) + "\r\n\0"s);
  std::vector<redis_command> commands;
  for (const auto& payload : payloads) commands.push_back({"PUBLISH", "socket.io#/#", payload});

  const auto replies = connection.pipeline(commands);
  REQUIRE(replies.size() == 1000);
  for (const auto& reply : replies) {
    CHECK(reply.kind == redis_reply::type::integer);
    CHECK(reply.integer == 1);
  }
  for (const auto& payload : payloads) {
    const auto message = listener.next_message(2s);
    REQUIRE(message.has_value());
    CHECK(message->payload == payload);
  }
}

TEST_CASE("redis_connection: replies of every type come back in command order") {
  redis_server server;
  auto connection = connect(server.url());
  const std::vector<redis_command> commands{
      {"SET", "key", "va\0lue"sv}, {"GET", "key"}, {"GET", "missing"}, {"INCR", "counter"}, {"INCR", "counter"},
      {"RPUSH", "list", "a", "b"},  {"LRANGE", "list", "0", "-1"},   {"NOSUCHCOMMAND"},     {"PING"}};
  const auto replies = connection.pipeline(commands);
  REQUIRE(replies.size() == commands.size());
  CHECK(replies[0].kind == redis_reply::type::status);
  CHECK(replies[0].text == "OK");
  CHECK(replies[1].kind == redis_reply::type::string);
  CHECK(replies[1].text == "va\0lue"s);
  CHECK(replies[2].kind == redis_reply::type::nil);
  CHECK(replies[3].integer == 1);
  CHECK(replies[4].integer == 2);
  CHECK(replies[5].integer == 2);
  REQUIRE(replies[6].kind == redis_reply::type::array);
  REQUIRE(replies[6].elements.size() == 2);
  CHECK(replies[6].elements[1].text == "b");
  CHECK(replies[7].kind == redis_reply::type::error);
  CHECK(replies[7].text.starts_with("ERR unknown command"));
  CHECK(replies[8].text == "PONG");

  // Error replies are returned, and only throw_if_error turns them into exceptions.
  CHECK_NOTHROW(sio::detail::throw_if_error(replies[2], "GET missing"));
  const auto message = message_of<sio::reply_error>([&] { sio::detail::throw_if_error(replies[7], "NOSUCHCOMMAND"); });
  CHECK(message.starts_with("NOSUCHCOMMAND failed: ERR unknown command"));
  CHECK_FALSE(connection.broken());
  CHECK(connection.pipeline({}).empty());
}

TEST_CASE("redis_connection: AUTH with --requirepass") {
  redis_server server({.extra_args = {"--requirepass", "pa:ss w@rd"}, .unix_socket = false});

  SUBCASE("the right password, percent-encoded in the URL, works") {
    auto connection = connect(with_credentials(server, ":pa%3Ass%20w%40rd"));
    CHECK(publish(connection, "socket.io#/#", "x") == 0);
  }
  SUBCASE("a wrong password is an auth_error naming the endpoint and quoting Redis") {
    const auto message = message_of<sio::auth_error>([&] { connect(with_credentials(server, ":wrong-secret")); });
    CHECK(message.find("WRONGPASS") != std::string::npos);
    CHECK(message.find("redis://127.0.0.1:" + std::to_string(server.port()) + "/0") != std::string::npos);
    CHECK(message.find("wrong-secret") == std::string::npos);
  }
  SUBCASE("no password: the command gets NOAUTH, an auth_error that says where the password goes") {
    auto connection = connect(server.url());
    const auto message = message_of<sio::auth_error>([&] { publish(connection, "socket.io#/#", "x"); });
    CHECK(message == "PUBLISH socket.io#/# failed: NOAUTH Authentication required. (the server needs a password: put "
                     "it in the Redis URL, redis://:PASSWORD@HOST:PORT or redis://USER:PASSWORD@HOST:PORT, e.g. in "
                     "REDIS_URL)");
  }
}

TEST_CASE("redis_connection: ACL users") {
  redis_server server;
  CHECK(server.command({"ACL", "SETUSER", "alice", "on", ">secret", "~*", "&socket.io*", "+publish"}) == "OK");

  SUBCASE("a user allowed to publish on socket.io* can") {
    auto connection = connect(with_credentials(server, "alice:secret"));
    CHECK(publish(connection, "socket.io#/#", "hello") == 0);

    SUBCASE("but a channel outside &socket.io* is NOPERM, an auth_error") {
      const auto message = message_of<sio::auth_error>([&] { publish(connection, "other#/#", "x"); });
      CHECK(message.starts_with("PUBLISH other#/# failed: NOPERM"));
      CHECK(message.find("channel") != std::string::npos);
      CHECK_FALSE(connection.broken());  // an error reply is not an I/O failure
    }
  }
  SUBCASE("a user without +publish gets Redis' text naming the command") {
    CHECK(server.command({"ACL", "SETUSER", "bob", "on", ">pw", "~*", "&*", "+ping"}) == "OK");
    auto connection = connect(with_credentials(server, "bob:pw"));
    const auto message = message_of<sio::auth_error>([&] { publish(connection, "socket.io#/#", "x"); });
    CHECK(message.find("NOPERM") != std::string::npos);
    CHECK(message.find("'publish'") != std::string::npos);
  }
  SUBCASE("an unknown user is an auth_error at connect") {
    const auto message = message_of<sio::auth_error>([&] { connect(with_credentials(server, "mallory:guess")); });
    CHECK(message.find("as user \"mallory\"") != std::string::npos);
    CHECK(message.find("WRONGPASS") != std::string::npos);
    CHECK(message.find("guess") == std::string::npos);
  }
  SUBCASE("a wrong password for a known user is an auth_error") {
    CHECK_THROWS_AS(connect(with_credentials(server, "alice:nope")), sio::auth_error);
  }
  SUBCASE("a user without a password authenticates as a nopass user") {
    CHECK(server.command({"ACL", "SETUSER", "carol", "on", "nopass", "&*", "+publish"}) == "OK");
    auto connection = connect(with_credentials(server, "carol"));
    CHECK(publish(connection, "anything", "x") == 0);
  }
}

TEST_CASE("redis_connection: a port with nothing listening is a connection_error, quickly") {
  const int port = sio::test::free_loopback_port();
  const auto start = clock_type::now();
  const auto message =
      message_of<sio::connection_error>([&] { connect("redis://127.0.0.1:" + std::to_string(port)); });
  CHECK(seconds_since(start) < 1.0);
  CHECK(message == "cannot connect to Redis at redis://127.0.0.1:" + std::to_string(port) + "/0: Connection refused");
}

TEST_CASE("redis_connection: a connect that hangs is a timeout_error after connect_timeout") {
  sio::test::stalled_listener listener;
  const auto endpoint = parse_redis_url("redis://127.0.0.1:" + std::to_string(listener.port()));
  const auto start = clock_type::now();
  const auto message = message_of<sio::timeout_error>([&] { redis_connection(endpoint, 200ms, fast); });
  CHECK(seconds_since(start) < 1.0);
  CHECK(message.find("within 200 ms") != std::string::npos);
}

TEST_CASE("redis_connection: unix socket") {
  redis_server server({.extra_args = {}, .unix_socket = true});
  REQUIRE_FALSE(server.unix_socket().empty());

  SUBCASE("PUBLISH over the socket") {
    subscriber listener(server, {"*"});
    auto connection = connect(server.unix_url());
    CHECK(connection.endpoint().describe() == server.unix_url());
    CHECK(publish(connection, "socket.io#/#", "via unix") == 1);
    CHECK(listener.next_message(2s)->payload == "via unix");
  }
  SUBCASE("?db=N selects the database") {
    auto connection = connect(server.unix_url() + "?db=2");
    CHECK(run(connection, {"SET", "where", "two"}).text == "OK");
    CHECK(server.commands({{"SELECT", "2"}, {"GET", "where"}}).back() == "two");
  }
  SUBCASE("a missing socket is a connection_error") {
    const auto message = message_of<sio::connection_error>([&] { connect("unix:///nonexistent/sio.sock"); });
    CHECK(message.starts_with("cannot connect to Redis at unix:///nonexistent/sio.sock: "));
  }
}

TEST_CASE("redis_connection: a command Redis does not answer in time is a timeout_error and breaks the connection") {
  redis_server server;
  auto connection = connect(server.url(), 300ms);
  CHECK(publish(connection, "socket.io#/#", "before") == 0);
  CHECK(server.command({"CLIENT", "PAUSE", "2000", "ALL"}) == "OK");

  const auto start = clock_type::now();
  const auto message = message_of<sio::timeout_error>([&] { publish(connection, "socket.io#/#", "paused"); });
  CHECK(seconds_since(start) < 1.0);
  CHECK(message.starts_with("Redis did not answer within 300 ms (PUBLISH on redis://127.0.0.1:"));
  CHECK(connection.broken());
  // A broken connection refuses further work instead of reading a stale reply.
  CHECK_THROWS_AS(publish(connection, "socket.io#/#", "again"), sio::connection_error);
}

TEST_CASE("redis_connection: DEBUG SLEEP from another client also times the command out") {
  redis_server server({.extra_args = {"--enable-debug-command", "yes"}, .unix_socket = false});
  auto connection = connect(server.url(), 300ms);
  std::thread sleeper([&] { server.command({"DEBUG", "SLEEP", "1"}); });
  std::this_thread::sleep_for(100ms);  // let DEBUG SLEEP occupy the server first
  const auto start = clock_type::now();
  CHECK_THROWS_AS(publish(connection, "socket.io#/#", "x"), sio::timeout_error);
  CHECK(seconds_since(start) < 1.0);
  CHECK(connection.broken());
  sleeper.join();
}

TEST_CASE("redis_connection: a server that goes away is a connection_error and breaks the connection") {
  redis_server server;
  auto connection = connect(server.url());
  CHECK(publish(connection, "c", "x") == 0);
  server.stop();

  SUBCASE("small command") {
    const auto message = message_of<sio::connection_error>([&] { publish(connection, "c", "x"); });
    CHECK(message.starts_with("lost the connection to Redis at redis://127.0.0.1:"));
  }
  SUBCASE("a large pipeline, whose writes hit the closed socket, does not raise SIGPIPE") {
    const std::string big(1 << 20, 'x');
    const std::vector<redis_command> commands(8, redis_command{"PUBLISH", "c", big});
    CHECK_THROWS_AS(connection.pipeline(commands), sio::connection_error);
  }
  CHECK(connection.broken());
}

TEST_CASE("redis_connection: the database in the URL is selected") {
  redis_server server;
  auto connection = connect(server.url() + "/3");
  CHECK(run(connection, {"SET", "sio:key", "in three"}).text == "OK");
  CHECK(server.commands({{"SELECT", "3"}, {"GET", "sio:key"}}).back() == "in three");
  CHECK(server.command({"GET", "sio:key"}) == "(nil)");

  SUBCASE("a database Redis does not have is a reply_error at connect") {
    const auto message = message_of<sio::reply_error>([&] { connect(server.url() + "/99"); });
    CHECK(message.find("SELECT 99 on redis://127.0.0.1:") != std::string::npos);
    CHECK(message.find("out of range") != std::string::npos);
  }
}

TEST_CASE("redis_connection: a redis-server that cannot start says why, with its log") {
  const auto message = message_of<std::runtime_error>(
      [] { redis_server server({.extra_args = {"--no-such-directive", "1"}, .unix_socket = false}); });
  CHECK(message.find("exited during startup") != std::string::npos);
  CHECK(message.find("--- redis-server log ---") != std::string::npos);
  CHECK(message.find("no-such-directive") != std::string::npos);
}

TEST_CASE("redis_connection: the test redis-server stops on request and is reaped") {
  redis_server server;
  const auto pid = server.pid();
  CHECK(pid > 0);
  server.stop();
  CHECK_FALSE(server.running());
  CHECK_THROWS(server.command({"PING"}));
}

}  // TEST_SUITE
