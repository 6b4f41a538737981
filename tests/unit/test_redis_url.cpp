// parse_redis_url, redis_endpoint::describe and redact_redis_url: every URL form, and each error's exact message.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sio/internal/redis/redis_url.hpp"
#include "sio/error.hpp"

namespace {

using namespace std::string_literals;
using sio::detail::parse_redis_url;
using sio::detail::redact_redis_url;
using sio::detail::redis_endpoint;
using transport = redis_endpoint::transport;
using deployment = redis_endpoint::deployment;
using sio::detail::redis_address;

constexpr std::string_view expected_forms =
    "expected redis://[user[:password]@]host[:port][/db] (rediss:// for TLS), unix:///path/to.sock, "
    "redis+cluster://host:port[,host:port...] or redis+sentinel://host:port[,host:port...]/master-name[/db]";

std::string parse_error(std::string_view url) {
  try {
    parse_redis_url(url);
  } catch (const sio::data_error& error) {
    CHECK(error.code() == sio::errc::invalid_url);
    return error.what();
  }
  FAIL("no error for " << url);
  return {};
}

std::string invalid(std::string_view shown_url, std::string_view what) {
  return "invalid Redis URL \"" + std::string(shown_url) + "\": " + std::string(what);
}

}  // namespace

TEST_SUITE("redis_url") {

TEST_CASE("redis_url: tcp URLs and their defaults") {
  SUBCASE("host and port") {
    const auto endpoint = parse_redis_url("redis://127.0.0.1:6379");
    CHECK(endpoint.kind == transport::tcp);
    CHECK(endpoint.host == "127.0.0.1");
    CHECK(endpoint.port == 6379);
    CHECK(endpoint.db == 0);
    CHECK_FALSE(endpoint.username.has_value());
    CHECK_FALSE(endpoint.password.has_value());
    CHECK(endpoint.describe() == "redis://127.0.0.1:6379/0");
  }
  SUBCASE("host alone: port 6379, db 0") {
    const auto endpoint = parse_redis_url("redis://localhost");
    CHECK(endpoint.host == "localhost");
    CHECK(endpoint.port == 6379);
    CHECK(endpoint.db == 0);
  }
  SUBCASE("a trailing slash is db 0") { CHECK(parse_redis_url("redis://h/").db == 0); }
  SUBCASE("db in the path") {
    const auto endpoint = parse_redis_url("redis://cache.internal:6380/15");
    CHECK(endpoint.port == 6380);
    CHECK(endpoint.db == 15);
    CHECK(endpoint.describe() == "redis://cache.internal:6380/15");
  }
  SUBCASE("the scheme is case-insensitive, the host keeps its case") {
    const auto endpoint = parse_redis_url("REDIS://Cache-1.Example_net:7000/2");
    CHECK(endpoint.host == "Cache-1.Example_net");
    CHECK(endpoint.port == 7000);
    CHECK(endpoint.db == 2);
  }
  SUBCASE("the port range ends are accepted") {
    CHECK(parse_redis_url("redis://h:1").port == 1);
    CHECK(parse_redis_url("redis://h:65535").port == 65535);
  }
  SUBCASE("large db numbers are Redis' business") { CHECK(parse_redis_url("redis://h/2147483647").db == 2147483647); }
}

TEST_CASE("redis_url: IPv6 hosts in brackets") {
  auto endpoint = parse_redis_url("redis://[::1]:7000/1");
  CHECK(endpoint.host == "::1");
  CHECK(endpoint.port == 7000);
  CHECK(endpoint.db == 1);
  CHECK(endpoint.describe() == "redis://[::1]:7000/1");

  endpoint = parse_redis_url("redis://[fe80::a:B:c]");
  CHECK(endpoint.host == "fe80::a:B:c");
  CHECK(endpoint.port == 6379);

  endpoint = parse_redis_url("redis://user:pw@[::ffff:127.0.0.1]:6380");
  CHECK(endpoint.host == "::ffff:127.0.0.1");
  CHECK(endpoint.username == "user");
  CHECK(endpoint.password == "pw");
}

TEST_CASE("redis_url: credentials") {
  SUBCASE("user and password") {
    const auto endpoint = parse_redis_url("redis://alice:secret@h:6379/1");
    CHECK(endpoint.username == "alice");
    CHECK(endpoint.password == "secret");
    CHECK(endpoint.host == "h");
    CHECK(endpoint.db == 1);
  }
  SUBCASE("password only, for the default user") {
    const auto endpoint = parse_redis_url("redis://:secret@h");
    CHECK_FALSE(endpoint.username.has_value());
    CHECK(endpoint.password == "secret");
  }
  SUBCASE("user only") {
    const auto endpoint = parse_redis_url("redis://alice@h");
    CHECK(endpoint.username == "alice");
    CHECK_FALSE(endpoint.password.has_value());
  }
  SUBCASE("empty parts count as absent") {
    const auto endpoint = parse_redis_url("redis://alice:@h");
    CHECK(endpoint.username == "alice");
    CHECK_FALSE(endpoint.password.has_value());
    const auto nothing = parse_redis_url("redis://:@h");
    CHECK_FALSE(nothing.username.has_value());
    CHECK_FALSE(nothing.password.has_value());
  }
  SUBCASE("percent-escapes are decoded in user and password, including %00 and either hex case") {
    const auto endpoint = parse_redis_url("redis://us%40er%2e:p%3Aa%2Fss%25%00%fF%20@h");
    CHECK(endpoint.username == "us@er.");
    CHECK(endpoint.password == "p:a/ss%\0\xff "s);
  }
  SUBCASE("an unescaped '@', ':' or '/' in the password still works: credentials end at the last '@'") {
    const auto endpoint = parse_redis_url("redis://u:p@s:s/w@h:1/2");
    CHECK(endpoint.username == "u");
    CHECK(endpoint.password == "p@s:s/w");
    CHECK(endpoint.host == "h");
    CHECK(endpoint.port == 1);
    CHECK(endpoint.db == 2);
  }
  SUBCASE("describe() never shows credentials") {
    const auto endpoint = parse_redis_url("redis://alice:secret@h:6379/1");
    CHECK(endpoint.describe() == "redis://h:6379/1");
  }
}

TEST_CASE("redis_url: unix socket URLs") {
  auto endpoint = parse_redis_url("unix:///tmp/r.sock");
  CHECK(endpoint.kind == transport::unix_socket);
  CHECK(endpoint.path == "/tmp/r.sock");
  CHECK(endpoint.db == 0);
  CHECK(endpoint.describe() == "unix:///tmp/r.sock");

  endpoint = parse_redis_url("unix:///var/run/redis/redis-server.sock?db=3");
  CHECK(endpoint.path == "/var/run/redis/redis-server.sock");
  CHECK(endpoint.db == 3);
  CHECK(endpoint.describe() == "unix:///var/run/redis/redis-server.sock?db=3");

  CHECK(parse_redis_url("UNIX:///tmp/r.sock?").db == 0);
  CHECK(parse_redis_url("unix:///tmp/r.sock?&db=4&").db == 4);

  endpoint = parse_redis_url("unix://alice:s%40cret@/tmp/r.sock");
  CHECK(endpoint.username == "alice");
  CHECK(endpoint.password == "s@cret");
  CHECK(endpoint.path == "/tmp/r.sock");
  CHECK(endpoint.describe() == "unix:///tmp/r.sock");
}

TEST_CASE("redis_url: rediss:// is the same URL over TLS") {
  const auto endpoint = parse_redis_url("rediss://alice:secret@cache.internal:6380/2");
  CHECK(endpoint.kind == transport::tcp);
  CHECK(endpoint.tls.enabled);
  CHECK(endpoint.tls.verify_peer);
  CHECK(endpoint.host == "cache.internal");
  CHECK(endpoint.port == 6380);
  CHECK(endpoint.db == 2);
  CHECK(endpoint.username == "alice");
  CHECK(endpoint.describe() == "rediss://cache.internal:6380/2");
  CHECK(parse_redis_url("REDISS://[::1]").describe() == "rediss://[::1]:6379/0");
  CHECK_FALSE(parse_redis_url("redis://h").tls.enabled);
  CHECK_FALSE(parse_redis_url("unix:///tmp/r.sock").tls.enabled);
}

TEST_CASE("redis_url: redis+cluster:// lists the seed nodes") {
  const auto endpoint = parse_redis_url("redis+cluster://alice:secret@10.0.0.1:7000,node-b,[::1]:7002");
  CHECK(endpoint.topology == deployment::cluster);
  CHECK(endpoint.nodes == std::vector<redis_address>{{"10.0.0.1", 7000}, {"node-b", 6379}, {"::1", 7002}});
  CHECK(endpoint.host == "10.0.0.1");
  CHECK(endpoint.port == 7000);
  CHECK(endpoint.username == "alice");
  CHECK(endpoint.password == "secret");
  CHECK_FALSE(endpoint.tls.enabled);
  CHECK(endpoint.describe() == "redis+cluster://10.0.0.1:7000,node-b:6379,[::1]:7002");
  CHECK(parse_redis_url("redis+cluster://h:7000/0").db == 0);
  const auto tls = parse_redis_url("rediss+cluster://h:7000");
  CHECK(tls.tls.enabled);
  CHECK(tls.describe() == "rediss+cluster://h:7000");
  SUBCASE("at(): one node, same credentials and TLS") {
    const auto node = tls.at({"10.1.1.1", 7005});
    CHECK(node.topology == deployment::standalone);
    CHECK(node.nodes.empty());
    CHECK(node.tls.enabled);
    CHECK(node.describe() == "rediss://10.1.1.1:7005/0");
    CHECK(endpoint.at({"x", 1}).password == "secret");
  }
}

TEST_CASE("redis_url: redis+sentinel:// lists the sentinels, then the master name and db") {
  const auto endpoint = parse_redis_url("redis+sentinel://:pw@s1,s2:26380/my%20master/3");
  CHECK(endpoint.topology == deployment::sentinel);
  CHECK(endpoint.nodes == std::vector<redis_address>{{"s1", 26379}, {"s2", 26380}});
  CHECK(endpoint.master_name == "my master");
  CHECK(endpoint.db == 3);
  CHECK(endpoint.password == "pw");
  CHECK(endpoint.describe() == "redis+sentinel://s1:26379,s2:26380/my%20master/3");
  // A name the parser would misread is percent-encoded, so the description parses back to the same master.
  const auto odd = parse_redis_url("redis+sentinel://s1/a%40b%2Fc%3A%25/2");
  CHECK(odd.master_name == "a@b/c:%");
  CHECK(odd.describe() == "redis+sentinel://s1:26379/a%40b%2Fc%3A%25/2");
  CHECK(parse_redis_url(odd.describe()).master_name == "a@b/c:%");
  CHECK(parse_redis_url("redis+sentinel://s1/mymaster").db == 0);
  CHECK(parse_redis_url("redis+sentinel://s1/mymaster/").db == 0);
  CHECK(parse_redis_url("rediss+sentinel://s1/m").tls.enabled);
  const auto master = endpoint.at({"10.0.0.9", 6379});
  CHECK(master.describe() == "redis://10.0.0.9:6379/3");
  CHECK(master.master_name.empty());
}

TEST_CASE("redis_url: bad cluster and sentinel URLs: exact messages") {
  CHECK(parse_error("redis+cluster://") == invalid("redis+cluster://", "the host is empty"));
  CHECK(parse_error("redis+cluster://a,,b") ==
        invalid("redis+cluster://a,,b", "an empty host in the list (two commas, or one at an end)"));
  CHECK(parse_error("redis+cluster://a,") ==
        invalid("redis+cluster://a,", "an empty host in the list (two commas, or one at an end)"));
  CHECK(parse_error("redis+cluster://a:7000,a:7000") ==
        invalid("redis+cluster://a:7000,a:7000", "the node a:7000 is listed twice"));
  CHECK(parse_error("redis+cluster://a/2") == invalid("redis+cluster://a/2", "a Redis Cluster has only database 0"));
  CHECK(parse_error("redis+cluster://a:0") ==
        invalid("redis+cluster://a:0", "the port must be a number from 1 to 65535, got \"0\""));
  CHECK(parse_error("redis+sentinel://s1") ==
        invalid("redis+sentinel://s1",
                "the master name is missing: redis+sentinel://sentinel-host:26379/master-name[/db]"));
  CHECK(parse_error("redis+sentinel://s1//2") ==
        invalid("redis+sentinel://s1//2",
                "the master name is missing: redis+sentinel://sentinel-host:26379/master-name[/db]"));
  CHECK(parse_error("redis+sentinel://s1/m/x") ==
        invalid("redis+sentinel://s1/m/x", "the database must be a non-negative integer, got \"x\""));
  CHECK(parse_error("redis+sentinel://u:hunter2@s1") ==
        invalid("redis+sentinel://u:***@s1",
                "the master name is missing: redis+sentinel://sentinel-host:26379/master-name[/db]"));
}

TEST_CASE("redis_url: malformed URLs: exact messages") {
  CHECK(parse_error("") == invalid("", "the URL is empty; "s + std::string(expected_forms)));
  CHECK(parse_error("localhost:6379") ==
        invalid("localhost:6379", "missing \"scheme://\"; "s + std::string(expected_forms)));
  CHECK(parse_error("http://h") == invalid("http://h", "unsupported scheme \"http\"; "s + std::string(expected_forms)));
  CHECK(parse_error("redis:/h") == invalid("redis:/h", "missing \"scheme://\"; "s + std::string(expected_forms)));
  CHECK(parse_error("redis://") == invalid("redis://", "the host is empty"));
  CHECK(parse_error("redis:///3") == invalid("redis:///3", "the host is empty"));
  CHECK(parse_error("redis://:6379") == invalid("redis://:6379", "the host is empty"));
  CHECK(parse_error("redis://ho st") == invalid("redis://ho st", "the host \"ho st\" contains an invalid character"));
  CHECK(parse_error("redis://::1") ==
        invalid("redis://::1", "an IPv6 address must be in brackets, e.g. redis://[::1]:6379"));
  CHECK(parse_error("redis://[::1") == invalid("redis://[::1", "the IPv6 address has no closing ']'"));
  CHECK(parse_error("redis://[]") == invalid("redis://[]", "\"\" is not an IPv6 address"));
  CHECK(parse_error("redis://[host]") == invalid("redis://[host]", "\"host\" is not an IPv6 address"));
  CHECK(parse_error("redis://[::1]6379") == invalid("redis://[::1]6379", "unexpected \"6379\" after the IPv6 address"));
  CHECK(parse_error("redis://h?db=1") ==
        invalid("redis://h?db=1",
                "redis:// URLs take no query parameters (put the database in the path: redis://host:6379/3)"));
  CHECK(parse_error("redis://h/1#x") == invalid("redis://h/1#x", "Redis URLs take no #fragment"));
  CHECK(parse_error("redis://h/0@x") ==
        invalid("redis://h/0@x",
                "the user name contains '/', '?' or '#' (percent-encode them, or the '@' is misplaced)"));
}

TEST_CASE("redis_url: bad ports: exact messages") {
  CHECK(parse_error("redis://h:") == invalid("redis://h:", "the port is empty"));
  for (const std::string port : {"0", "65536", "99999999999", "-1", "+1", "abc", "63 79", "6379x", "0x10"}) {
    CAPTURE(port);
    const auto url = "redis://h:" + port + "/1";
    CHECK(parse_error(url) == invalid(url, "the port must be a number from 1 to 65535, got \"" + port + "\""));
  }
}

TEST_CASE("redis_url: bad databases: exact messages") {
  for (const std::string db : {"x", "-1", "1.5", "3/", "2147483648", "99999999999", " 1", "+2"}) {
    CAPTURE(db);
    const auto url = "redis://h:6379/" + db;
    CHECK(parse_error(url) == invalid(url, "the database must be a non-negative integer, got \"" + db + "\""));
  }
  CHECK(parse_error("unix:///tmp/r.sock?db=x") ==
        invalid("unix:///tmp/r.sock?db=x", "the database must be a non-negative integer, got \"x\""));
  CHECK(parse_error("unix:///tmp/r.sock?db") ==
        invalid("unix:///tmp/r.sock?db", "the database must be a non-negative integer, got \"\""));
  CHECK(parse_error("unix:///tmp/r.sock?db=-2") ==
        invalid("unix:///tmp/r.sock?db=-2", "the database must be a non-negative integer, got \"-2\""));
}

TEST_CASE("redis_url: bad unix socket URLs: exact messages") {
  CHECK(parse_error("unix://") == invalid("unix://", "the socket path is empty"));
  CHECK(parse_error("unix:///") == invalid("unix:///", "the socket path is empty"));
  CHECK(parse_error("unix:///?db=1") == invalid("unix:///?db=1", "the socket path is empty"));
  CHECK(parse_error("unix://localhost/tmp/r.sock") ==
        invalid("unix://localhost/tmp/r.sock",
                "unix:// URLs take no host; write the absolute path: unix:///path/to.sock"));
  CHECK(parse_error("unix://tmp/r.sock") ==
        invalid("unix://tmp/r.sock", "unix:// URLs take no host; write the absolute path: unix:///path/to.sock"));
  CHECK(parse_error("unix:///tmp/r.sock?timeout=5") ==
        invalid("unix:///tmp/r.sock?timeout=5", "unknown query parameter \"timeout\" (unix:// URLs accept only db)"));
  CHECK(parse_error("unix:///tmp/r.sock?db=1&password=x") ==
        invalid("unix:///tmp/r.sock?db=1&password=x",
                "unknown query parameter \"password\" (unix:// URLs accept only db)"));
  CHECK(parse_error("unix:///tmp/r.sock?db=1&db=2") ==
        invalid("unix:///tmp/r.sock?db=1&db=2", "the db parameter is given twice"));
  CHECK(parse_error("unix:///tmp/r.sock#x") == invalid("unix:///tmp/r.sock#x", "Redis URLs take no #fragment"));
}

TEST_CASE("redis_url: bad percent-escapes: exact messages, password hidden") {
  CHECK(parse_error("redis://us%4@h") ==
        invalid("redis://us%4@h", "the user name has a bad percent-escape (expected % and two hex digits)"));
  CHECK(parse_error("redis://us%zzer:pw@h") ==
        invalid("redis://us%zzer:***@h", "the user name has a bad percent-escape (expected % and two hex digits)"));
  CHECK(parse_error("redis://user:sec%g1ret@h") ==
        invalid("redis://user:***@h", "the password has a bad percent-escape (expected % and two hex digits)"));
  CHECK(parse_error("redis://:secret%@h") ==
        invalid("redis://:***@h", "the password has a bad percent-escape (expected % and two hex digits)"));
}

TEST_CASE("redis_url: the password never appears in an error message") {
  const std::string secret = "Sup3rS3cret";
  for (const auto& url : {
           "rediss://:" + secret + "@h:0",
           "http://user:" + secret + "@h",
           "redis://user:" + secret + "@h:0",
           "redis://user:" + secret + "@h:6379/db",
           "redis://user:" + secret + "@",
           "redis://user:" + secret + "@ho st",
           "redis://user:" + secret + "@h?db=2",
           "redis://:" + secret + "@[::1",
           "unix://:" + secret + "@/tmp/r.sock?foo=1",
           "unix://:" + secret + "@host/tmp/r.sock",
           "user:" + secret + "@h:6379",
           "redis://user:" + secret + "@x@y:bad",
       }) {
    CAPTURE(url);
    const auto message = parse_error(url);
    CHECK(message.find(secret) == std::string::npos);
    CHECK(message.find("***") != std::string::npos);
  }
}

TEST_CASE("redis_url: redact_redis_url") {
  CHECK(redact_redis_url("redis://alice:secret@h:6379/0") == "redis://alice:***@h:6379/0");
  CHECK(redact_redis_url("redis://:secret@h") == "redis://:***@h");
  CHECK(redact_redis_url("redis://:p@ss@h") == "redis://:***@h");
  CHECK(redact_redis_url("redis://alice@h") == "redis://alice@h");
  CHECK(redact_redis_url("redis://h:6379/0") == "redis://h:6379/0");
  CHECK(redact_redis_url("unix://:pw@/tmp/r.sock?db=1") == "unix://:***@/tmp/r.sock?db=1");
  CHECK(redact_redis_url("alice:secret@h") == "alice:***@h");
  CHECK(redact_redis_url("") == "");
}

}  // TEST_SUITE
