// socketio::server over recording Engine.IO sessions: what each client would receive, and when its connection
// is closed, for CONNECT, refusals, rooms, broadcasts, acks, disconnects and presence.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "auth/authenticator.hpp"
#include "socketio/encode.hpp"
#include "socketio/handshake_json.hpp"
#include "socketio/server.hpp"

namespace engineio = sio::gateway::engineio;
namespace socketio = sio::gateway::socketio;
namespace auth = sio::gateway::auth;
using sio::gateway::outgoing_packet;

namespace {

// An Engine.IO session that records what the Socket.IO layer queued, and reports its own close as a transport
// does (handler::on_close follows close()).
class recording_session final : public engineio::session, public std::enable_shared_from_this<recording_session> {
 public:
  recording_session(std::string id, engineio::handler& handler) : id_(std::move(id)), handler_(handler) {}

  const std::string& id() const noexcept override { return id_; }
  const engineio::handshake_info& handshake() const noexcept override { return handshake_; }
  std::string_view transport() const noexcept override { return "websocket"; }
  void send(std::shared_ptr<const outgoing_packet> packet, bool compress) override {
    REQUIRE_FALSE(closed);
    sent.push_back(std::move(packet));
    compress_flags.push_back(compress);
  }
  bool writable() const noexcept override { return writable_; }
  void authenticated() override { ++authenticated_calls; }
  void close(std::string_view reason) override {
    REQUIRE_FALSE(closed);
    closed = true;
    close_reason = reason;
    handler_.on_close(shared_from_this(), reason);
  }

  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& p : sent) out.push_back(p->text);
    return out;
  }
  std::string last() const { return sent.empty() ? std::string() : sent.back()->text; }

  engineio::handshake_info handshake_;
  bool writable_ = true;
  std::vector<std::shared_ptr<const outgoing_packet>> sent;
  std::vector<bool> compress_flags;
  bool closed = false;
  std::string close_reason;
  int authenticated_calls = 0;

 private:
  std::string id_;
  engineio::handler& handler_;
};

// Accepts {"user":"<id>"} (empty user id when absent); refuses {"deny":"<message>"}.
class test_authenticator final : public auth::authenticator {
 public:
  auth::decision authenticate(const sio::value& a, const engineio::handshake_info&) const override {
    for (const auto& [key, v] : a.as_object()) {
      if (key == "deny") return auth::refused{v.as_string()};
      if (key == "user") return auth::accepted{v.as_string()};
    }
    return auth::accepted{""};
  }
};

struct fixture {
  explicit fixture(socketio::server_options options = default_options())
      : srv(io, std::move(options), authenticator,
            socketio::server_hooks{.namespace_created =
                                       [this](std::string_view nsp) {
                                         created.emplace_back(nsp);
                                         sockets_when_created.push_back(srv.socket_count());
                                       },
                                   .connect_refused =
                                       [this](const engineio::session& s, std::string_view nsp,
                                              std::string_view reason) {
                                         refusals.push_back(s.id() + " " + std::string{nsp} + " " +
                                                            std::string{reason});
                                       }}) {}

  static socketio::server_options default_options() {
    socketio::server_options o;
    o.namespaces = {"/", "/admin"};
    o.connect_timeout = std::chrono::milliseconds(50);
    return o;
  }

  std::shared_ptr<recording_session> open() {
    auto s = std::make_shared<recording_session>("eio-" + std::to_string(++sessions), srv);
    srv.on_open(s);
    return s;
  }
  void text(const std::shared_ptr<recording_session>& s, std::string_view t) { srv.on_message(s, t, false); }
  void binary(const std::shared_ptr<recording_session>& s, std::string_view b) { srv.on_message(s, b, true); }

  // Opens a session and connects it to `nsp` with `auth_json`; returns the session and the socket id.
  std::pair<std::shared_ptr<recording_session>, std::string> connect(const std::string& nsp = "/",
                                                                     const std::string& auth_json = "") {
    auto s = open();
    const std::string prefix = nsp == "/" ? "0" : "0" + nsp + ",";
    text(s, prefix + auth_json);
    return {s, sid_from_reply(s->last(), nsp)};
  }
  // `40{"sid":"..."}` or `40/admin,{"sid":"..."}` -> the sid.
  static std::string sid_from_reply(const std::string& reply, const std::string& nsp) {
    const std::string prefix = nsp == "/" ? "40" : "40" + nsp + ",";
    REQUIRE(reply.rfind(prefix, 0) == 0);
    const sio::value body = sio::json(reply.substr(prefix.size()));
    REQUIRE(body.as_object().size() == 1);
    return body.as_object().front().second.as_string();
  }

  boost::asio::io_context io;
  test_authenticator authenticator;
  std::vector<std::string> created;
  std::vector<std::size_t> sockets_when_created;
  std::vector<std::string> refusals;  // connect_refused calls: "<eio sid> <nsp> <reason>"
  socketio::server srv;
  int sessions = 0;
};

std::shared_ptr<const outgoing_packet> event(const char* json) { return socketio::encode_event("/", sio::json(json)); }

}  // namespace

TEST_CASE("server: CONNECT to / gets a fresh socket id, distinct from the Engine.IO sid, in its own room") {
  fixture f;
  auto [s, sid] = f.connect("/");
  CHECK(sid.size() == 20);
  CHECK(sid != s->id());
  CHECK(s->texts() == std::vector<std::string>{R"(40{"sid":")" + sid + R"("})"});
  CHECK(f.srv.socket_count() == 1);
  CHECK(f.srv.socket_ids("/", {}) == std::vector<std::string>{sid});
  CHECK(f.srv.socket_ids("/", {sid}) == std::vector<std::string>{sid});
  CHECK(f.srv.all_rooms("/") == std::vector<std::string>{sid});  // no user id: no user room
  auto [s2, sid2] = f.connect("/");
  CHECK(sid2 != sid);
  CHECK_FALSE(s->closed);
}

TEST_CASE("server: an accepted user joins user:<id>, /admin replies with its namespace") {
  fixture f;
  auto [s, sid] = f.connect("/", R"({"user":"42"})");
  CHECK(f.srv.socket_ids("/", {"user:42"}) == std::vector<std::string>{sid});

  auto admin = f.open();
  f.text(admin, R"(0/admin,{"user":"7"})");
  const std::string admin_sid = fixture::sid_from_reply(admin->last(), "/admin");
  CHECK(admin->last() == R"(40/admin,{"sid":")" + admin_sid + R"("})");
  CHECK(f.srv.socket_ids("/admin", {"user:7"}) == std::vector<std::string>{admin_sid});
  CHECK(f.srv.socket_ids("/", {"user:7"}).empty());
  CHECK(f.srv.socket_count() == 2);
}

TEST_CASE("server: namespace_created runs once per namespace, before its first socket") {
  fixture f;
  f.connect("/");
  f.connect("/");
  f.connect("/admin");
  f.connect("/admin");
  CHECK(f.created == std::vector<std::string>{"/", "/admin"});
  CHECK(f.sockets_when_created == std::vector<std::size_t>{0, 2});
  CHECK(f.srv.namespaces() == std::vector<std::string>{"/", "/admin"});
}

TEST_CASE("server: unknown namespace and refusals get CONNECT_ERROR, the connection stays open") {
  fixture f;
  auto s = f.open();
  f.text(s, "0/nope,");
  CHECK(s->last() == R"(44/nope,{"message":"Invalid namespace"})");
  f.text(s, R"(0{"deny":"invalid token: expired"})");
  CHECK(s->last() == R"(44{"message":"invalid token: expired"})");
  f.text(s, R"(0/admin,{"deny":"no \"admin\" for you"})");
  CHECK(s->last() == R"(44/admin,{"message":"no \"admin\" for you"})");
  f.text(s, R"(0{"deny":"bad \u00e9 byte"})");
  CHECK(s->last() == "44{\"message\":\"bad \xc3\xa9 byte\"}");
  CHECK_FALSE(s->closed);
  CHECK(f.srv.socket_count() == 0);
  CHECK(f.created.empty());
  // A later CONNECT on the same connection may still succeed.
  f.text(s, R"(0{"user":"1"})");
  CHECK(s->last().rfind(R"(40{"sid":")", 0) == 0);
  CHECK(f.srv.socket_count() == 1);
}

TEST_CASE("server: protocol violations close the connection") {
  SUBCASE("CONNECT to an already connected namespace") {
    fixture f;
    auto [s, sid] = f.connect("/");
    f.text(s, "0");
    CHECK(s->closed);
    CHECK(f.srv.socket_count() == 0);
    CHECK(s->sent.size() == 1);  // only the first CONNECT reply
  }
  SUBCASE("an EVENT before CONNECT") {
    fixture f;
    auto s = f.open();
    f.text(s, R"(2["hello"])");
    CHECK(s->closed);
    CHECK(s->sent.empty());
  }
  SUBCASE("an EVENT for a namespace the client did not connect") {
    fixture f;
    auto [s, sid] = f.connect("/");
    f.text(s, R"(2/admin,["hello"])");
    CHECK(s->closed);
    CHECK(f.srv.socket_count() == 0);
  }
  SUBCASE("a CONNECT_ERROR from the client") {
    fixture f;
    auto [s, sid] = f.connect("/");
    f.text(s, R"(4{"message":"x"})");
    CHECK(s->closed);
  }
}

TEST_CASE("server: malformed packets close the connection with reason parse error") {
  const char* malformed[] = {"2[", R"(2{"a":1})", R"(2["disconnect"])", "7", "0[]", R"(511-["a"])"};
  for (const char* t : malformed) {
    CAPTURE(t);
    fixture f;
    auto [s, sid] = f.connect("/");
    f.text(s, t);
    CHECK(s->closed);
    CHECK(s->close_reason == "parse error");
    CHECK(f.srv.socket_count() == 0);
    CHECK(f.srv.socket_ids("/", {}).empty());
  }
  fixture f;
  auto [s, sid] = f.connect("/");
  f.binary(s, "\x01\x02");  // binary without a BINARY_EVENT
  CHECK(s->close_reason == "parse error");
}

TEST_CASE("server: client EVENTs (also binary, also with ack ids) get no answer") {
  fixture f;
  auto [s, sid] = f.connect("/");
  f.text(s, R"(21["hello","x"])");
  f.text(s, R"(51-["bin",{"_placeholder":true,"num":0}])");
  f.binary(s, "\xde\xad");
  f.text(s, R"(2["after"])");
  CHECK(s->sent.size() == 1);
  CHECK_FALSE(s->closed);
}

TEST_CASE("server: no CONNECT within connect_timeout closes, a connected client is not closed") {
  fixture f;
  auto idle = f.open();
  auto refused = f.open();
  f.text(refused, R"(0{"deny":"no"})");
  auto [ok, sid] = f.connect("/");
  f.io.run_for(std::chrono::milliseconds(300));
  CHECK(idle->closed);
  CHECK(refused->closed);
  CHECK_FALSE(ok->closed);
  CHECK(f.srv.socket_count() == 1);
}

TEST_CASE("server: the connect timer of a closed session does nothing") {
  fixture f;
  auto s = f.open();
  f.srv.on_close(s, "transport close");
  f.io.run_for(std::chrono::milliseconds(150));
  CHECK_FALSE(s->closed);  // recording_session::closed is only set by the server's close()
}

TEST_CASE("server: broadcast targets rooms (each socket once) minus except rooms") {
  fixture f;
  auto [a, sid_a] = f.connect("/", R"({"user":"1"})");
  auto [b, sid_b] = f.connect("/", R"({"user":"2"})");
  auto [c, sid_c] = f.connect("/", R"({"user":"3"})");
  auto [admin, sid_admin] = f.connect("/admin", R"({"user":"1"})");
  f.srv.join("/", socketio::target{{"user:1", "user:2"}, {}}, {"vip"});

  const auto packet = event(R"(["e",1])");
  CHECK(f.srv.broadcast("/", socketio::target{{"vip", "user:1"}, {}}, packet, {}) == 2);  // a once, b
  CHECK(a->sent.size() == 2);
  CHECK(a->sent.back() == packet);  // the one encoding is shared
  CHECK(b->last() == R"(42["e",1])");
  CHECK(c->sent.size() == 1);
  CHECK(admin->sent.size() == 1);

  CHECK(f.srv.broadcast("/", socketio::target{{}, {"vip"}}, packet, {}) == 1);  // all but vip: c
  CHECK(c->last() == R"(42["e",1])");
  CHECK(f.srv.broadcast("/", socketio::target{{"vip"}, {"user:2"}}, packet, {}) == 1);
  CHECK(a->sent.size() == 3);
  CHECK(f.srv.broadcast("/", socketio::target{}, packet, {}) == 3);
  CHECK(f.srv.broadcast("/", socketio::target{{"nobody"}, {}}, packet, {}) == 0);
  CHECK(f.srv.broadcast("/", socketio::target{{sid_c}, {}}, packet, {}) == 1);  // a socket id is a room
  CHECK(f.srv.broadcast("/nope", socketio::target{}, packet, {}) == 0);
  CHECK(f.srv.broadcast("/admin", socketio::target{{"user:1"}, {}}, packet, {}) == 1);
  CHECK(admin->sent.size() == 2);
}

TEST_CASE("server: volatile skips sessions that are not writable, compress is passed through") {
  fixture f;
  auto [a, sid_a] = f.connect("/");
  auto [b, sid_b] = f.connect("/");
  b->writable_ = false;
  const auto packet = event(R"(["v"])");
  CHECK(f.srv.volatile_dropped() == 0);
  CHECK(f.srv.broadcast("/", {}, packet, {.volatile_ = true, .compress = false}) == 1);
  CHECK(f.srv.volatile_dropped() == 1);  // counted for /metrics
  CHECK(a->sent.size() == 2);
  CHECK(a->compress_flags.back() == false);
  CHECK(b->sent.size() == 1);
  CHECK(f.srv.broadcast("/", {}, packet, {.volatile_ = false, .compress = true}) == 2);
  CHECK(f.srv.volatile_dropped() == 1);  // only volatile packets are ever dropped
  CHECK(b->sent.size() == 2);
  CHECK(b->compress_flags.back() == true);
}

TEST_CASE("server: join and leave change the room index") {
  fixture f;
  auto [a, sid_a] = f.connect("/", R"({"user":"1"})");
  auto [b, sid_b] = f.connect("/", R"({"user":"2"})");
  f.srv.join("/", socketio::target{{}, {"user:2"}}, {"r1", "r2"});
  CHECK(f.srv.socket_ids("/", {"r1"}) == std::vector<std::string>{sid_a});
  f.srv.join("/", socketio::target{{"user:2"}, {}}, {"r1"});
  CHECK(f.srv.socket_ids("/", {"r1"}).size() == 2);
  f.srv.leave("/", socketio::target{{"r1"}, {}}, {"r1"});
  CHECK(f.srv.socket_ids("/", {"r1"}).empty());
  std::vector<std::string> rooms = f.srv.all_rooms("/");
  CHECK(std::find(rooms.begin(), rooms.end(), "r1") == rooms.end());  // an empty room is gone
  CHECK(std::find(rooms.begin(), rooms.end(), "r2") != rooms.end());
  CHECK(rooms.size() == 5);  // two socket ids, user:1, user:2, r2
  f.srv.join("/admin", socketio::target{}, {"x"});  // no sockets there: nothing
  CHECK(f.srv.all_rooms("/admin").empty());
}

TEST_CASE("server: disconnect sends DISCONNECT and removes the socket, close closes the connection") {
  fixture f;
  auto [a, sid_a] = f.connect("/", R"({"user":"1"})");
  f.text(a, "0/admin,");
  auto [b, sid_b] = f.connect("/", R"({"user":"2"})");
  f.text(b, "0/admin,");
  CHECK(f.srv.socket_count() == 4);

  f.srv.disconnect("/admin", socketio::target{{"user:2"}, {}}, false);  // user:2 is only in "/"
  CHECK(f.srv.socket_count() == 4);
  f.srv.disconnect("/", socketio::target{{"user:2"}, {}}, false);
  CHECK(b->last() == "41");
  CHECK_FALSE(b->closed);
  CHECK(f.srv.socket_count() == 3);
  CHECK(f.srv.socket_ids("/", {"user:2"}).empty());

  f.srv.disconnect("/", socketio::target{{"user:1"}, {}}, true);
  const auto texts = a->texts();
  REQUIRE(texts.size() == 4);
  CHECK(texts[2] == "41");
  CHECK(texts[3] == "41/admin,");
  CHECK(a->closed);
  CHECK(f.srv.socket_count() == 1);  // b's /admin socket
  CHECK(f.srv.socket_ids("/admin", {}).size() == 1);

  f.srv.disconnect("/admin", {}, false);
  CHECK(b->last() == "41/admin,");
  CHECK(f.srv.socket_count() == 0);

  // DISCONNECTs go out in the order the namespaces were connected, as Node's client._disconnect().
  auto c = f.open();
  f.text(c, "0/admin,");
  f.text(c, "0");
  f.srv.disconnect("/admin", {}, true);
  const auto c_texts = c->texts();
  REQUIRE(c_texts.size() == 4);
  CHECK(c_texts[2] == "41/admin,");
  CHECK(c_texts[3] == "41");
  CHECK(c->closed);
}

TEST_CASE("server: a client DISCONNECT removes that namespace socket only, on_close removes all") {
  fixture f;
  auto [a, sid_a] = f.connect("/", R"({"user":"1"})");
  f.text(a, "0/admin,");
  f.text(a, "1/admin,");
  CHECK(f.srv.socket_ids("/admin", {}).empty());
  CHECK(f.srv.socket_ids("/", {"user:1"}) == std::vector<std::string>{sid_a});
  CHECK_FALSE(a->closed);
  f.text(a, "0/admin,");  // may connect again
  CHECK(f.srv.socket_count() == 2);
  f.srv.on_close(a, "transport close");
  CHECK(f.srv.socket_count() == 0);
  CHECK(f.srv.broadcast("/", {}, event(R"(["e"])"), {}) == 0);
}

TEST_CASE("server: broadcast_with_ack gives one namespace ack id per broadcast and collects first arguments") {
  fixture f;
  auto [a, sid_a] = f.connect("/", R"({"user":"1"})");
  auto [b, sid_b] = f.connect("/", R"({"user":"2"})");
  auto [c, sid_c] = f.connect("/", R"({"user":"3"})");
  std::vector<sio::value> acks;
  const auto collect = [&](const sio::value& v) { acks.push_back(v); };

  CHECK(f.srv.broadcast_with_ack("/", socketio::target{{}, {"user:3"}}, sio::json(R"(["q",1])"), collect) == 2);
  CHECK(a->last() == R"(420["q",1])");
  CHECK(b->last() == R"(420["q",1])");
  CHECK(c->sent.size() == 1);
  CHECK(f.srv.broadcast_with_ack("/", socketio::target{{"user:3"}, {}}, sio::json(R"(["q"])"), collect) == 1);
  CHECK(c->last() == R"(421["q"])");

  f.text(a, R"(30["from a","ignored"])");
  f.text(a, R"(30["again"])");  // answered already
  f.text(b, R"(31["wrong id"])");
  f.text(c, "31[]");  // ack without arguments: undefined
  REQUIRE(acks.size() == 2);
  CHECK(acks[0] == sio::value("from a"));
  CHECK(acks[1].is_undefined());

  // A binary ACK fills its placeholder; a disconnected client never answers.
  f.text(b, R"(61-0[{"_placeholder":true,"num":0}])");
  f.binary(b, "\x01\x02");
  REQUIRE(acks.size() == 3);
  CHECK(acks[2] == sio::value(sio::binary(std::string_view("\x01\x02"))));

  auto [admin, sid_admin] = f.connect("/admin");
  CHECK(f.srv.broadcast_with_ack("/admin", {}, sio::json(R"(["q"])"), collect) == 1);
  CHECK(admin->last() == R"(42/admin,0["q"])");  // the counter is per namespace
  f.srv.on_close(admin, "transport close");
  CHECK(acks.size() == 3);
  CHECK_FALSE(a->closed);
  CHECK_FALSE(b->closed);
  CHECK_FALSE(c->closed);
  CHECK(f.srv.broadcast_with_ack("/nope", {}, sio::json(R"(["q"])"), collect) == 0);
}

TEST_CASE("server: fetch_sockets describes the handshake like socket.handshake") {
  fixture f;
  auto s = f.open();
  s->handshake_.headers = {{"host", "127.0.0.1:3000"}, {"accept", "a"}, {"accept", "b"}, {"cookie", "x=1"},
                           {"cookie", "y=2"}};
  s->handshake_.query = {{"EIO", "4"}, {"transport", "websocket"}, {"t", "1"}, {"t", "2"}};
  s->handshake_.url = "/socket.io/?EIO=4&transport=websocket&t=1&t=2";
  s->handshake_.address = "::ffff:127.0.0.1";
  s->handshake_.xdomain = true;
  f.text(s, R"(0{"user":"42","token":"t"})");
  const std::string sid = fixture::sid_from_reply(s->last(), "/");
  f.srv.join("/", {}, {"vip"});

  const auto described = f.srv.fetch_sockets("/", socketio::target{{"user:42"}, {}});
  REQUIRE(described.size() == 1);
  CHECK(described[0].id == sid);
  CHECK(described[0].rooms == std::vector<std::string>{sid, "user:42", "vip"});
  CHECK(described[0].data_json == "{}");

  const sio::value handshake = sio::json(described[0].handshake_json);
  std::vector<std::string> keys;
  for (const auto& [k, v] : handshake.as_object()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"headers", "time", "address", "xdomain", "secure", "issued", "url", "query",
                                         "auth"});
  const auto& h = handshake.as_object();
  CHECK(h[0].second == sio::json(R"({"host":"127.0.0.1:3000","accept":"a, b","cookie":"x=1; y=2"})"));
  const std::int64_t issued = h[5].second.as_int64();
  CHECK(h[1].second == sio::value(socketio::js_date_string(issued)));
  CHECK(h[2].second == sio::value("::ffff:127.0.0.1"));
  CHECK(h[3].second == sio::value(true));
  CHECK(h[4].second == sio::value(false));
  CHECK(h[6].second == sio::value("/socket.io/?EIO=4&transport=websocket&t=1&t=2"));
  CHECK(h[7].second == sio::json(R"({"EIO":"4","transport":"websocket","t":["1","2"]})"));
  CHECK(h[8].second == sio::json(R"({"user":"42","token":"t"})"));

  CHECK(f.srv.fetch_sockets("/", socketio::target{{"user:42"}, {"vip"}}).empty());
  CHECK(f.srv.fetch_sockets("/admin", {}).empty());
}

TEST_CASE("server: js_date_string is new Date(ms) as a string in UTC") {
  CHECK(socketio::js_date_string(1764383400000) == "Sat Nov 29 2025 02:30:00 GMT+0000 (Coordinated Universal Time)");
  CHECK(socketio::js_date_string(0) == "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)");
}

TEST_CASE("server: a refusal is told once per connection, with the namespace and the reason") {
  fixture f;
  auto s = f.open();
  f.text(s, R"(0{"deny":"invalid token: expired"})");
  f.text(s, R"(0{"deny":"invalid token: bad signature"})");
  f.text(s, "0/nope,");
  auto other = f.open();
  f.text(other, "0/nope,");
  CHECK(f.refusals == std::vector<std::string>{s->id() + " / invalid token: expired", other->id() + " /nope Invalid namespace"});
}

TEST_CASE("server: the session is told it is authenticated once, when its first socket joins") {
  fixture f;
  auto s = f.open();
  f.text(s, R"(0{"deny":"no"})");
  CHECK(s->authenticated_calls == 0);
  f.text(s, R"(0{"user":"1"})");
  CHECK(s->authenticated_calls == 1);
  f.text(s, R"(0/admin,{"user":"1"})");
  f.text(s, "1");  // leaves "/": the client stays authenticated
  f.text(s, R"(0{"user":"1"})");
  CHECK(s->authenticated_calls == 1);
  CHECK_FALSE(s->closed);
}

TEST_CASE("server: before a socket joined, only a CONNECT is read: anything else closes the connection at once") {
  SUBCASE("a binary event's header: its attachments are never awaited") {
    fixture f;
    auto s = f.open();
    f.text(s, R"(51-["upload",{"_placeholder":true,"num":0}])");
    CHECK(s->closed);
    CHECK(s->close_reason == "forced close");
  }
  SUBCASE("a binary message") {
    fixture f;
    auto s = f.open();
    f.binary(s, std::string(1000, 'x'));
    CHECK(s->closed);
  }
  SUBCASE("an ACK") {
    fixture f;
    auto s = f.open();
    f.text(s, "3[1]");
    CHECK(s->closed);
  }
  SUBCASE("after a refused CONNECT too") {
    fixture f;
    auto s = f.open();
    f.text(s, R"(0{"deny":"no"})");
    f.text(s, R"(2["hello"])");
    CHECK(s->closed);
  }
  SUBCASE("once joined, a binary event waits for its attachments as before") {
    fixture f;
    auto [s, sid] = f.connect("/");
    f.text(s, R"(51-["upload",{"_placeholder":true,"num":0}])");
    f.binary(s, "abc");
    CHECK_FALSE(s->closed);
  }
}
