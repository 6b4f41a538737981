// sio-bench-eio-clients: the client side of bench/gateway-fanout. N Engine.IO v4 / Socket.IO clients on WebSocket
// (Boost.Beast, one io_context thread), each user <i> connecting as `40{"userId":"<i>"}`, answering pings, and
// counting the `42["notification",{...}]` messages they receive, so that what is measured is the server and not a
// JavaScript client. Driven by bench/gateway-fanout.mjs over stdin/stdout, one JSON object (or command) per line.
//
//   sio-bench-eio-clients --port PORT --clients N [--host 127.0.0.1] [--concurrency 200] [--time-limit SECONDS 120]
//                         [--per-address 0]
//
// --per-address: connections per loopback source address (127.0.<1+a/250>.<1+a%250>, a = i / per-address); 0 (the
// default): none bound, every client comes from 127.0.0.1, as all of a load balancer's clients do. For a server with
// per-address limits on (sio-gateway's --handshake-rate / --max-pending-per-address), bind fewer per address.
// Payloads (JSON; "t" is the publisher's CLOCK_MONOTONIC time in ns, as a string or a number):
//   targeted  {"u":<user>,"s":<k>,"t":...}  the k-th notification, sent to user k % N (k = 0, 1, ...)
//   broadcast {"b":<b>,"t":...}             the b-th broadcast (b = 0, 1, ...), to everyone
// stdout: {"connected":n,"failed":f,"seconds":s,"timed_out":bool,"errors":{"reason":count}} once, when every
// connection has succeeded or failed (or at --time-limit), then {"complete":b,"first":ns,"last":ns} when broadcast b
// has reached every connected client, and one reply per command:
//   reset                 clear every counter (a new phase)               -> {"reset":true}
//   count                 progress                                       -> {"count":{"targeted":..,"broadcast":..,"closed":..}}
//   targeted TOTAL        check notifications 0..TOTAL-1, latencies       -> {"targeted":{...}}
//   broadcasts COUNT      check broadcasts 0..COUNT-1                     -> {"broadcasts":{...}}
//   quit                  exit at once
// Messages are parsed without recursion (RapidJSON's iterative parser), and only what is needed.
#include <rapidjson/document.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void emit_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::size_t clients = 0;
  std::size_t concurrency = 200;
  double time_limit_s = 120;
  std::size_t per_address = 0;
};

class Conn;

// Everything the connections share; touched only on the io_context thread.
struct State {
  explicit State(net::io_context& io, Options o) : ioc(io), opt(std::move(o)) {}
  net::io_context& ioc;
  Options opt;
  std::vector<std::shared_ptr<Conn>> conns;
  std::int64_t started_ns = 0;
  std::size_t next_to_start = 0;
  std::size_t in_flight = 0;
  std::size_t connected = 0;
  std::size_t failed = 0;
  bool connect_reported = false;
  std::map<std::string, std::size_t> errors;  // connection failures, by reason
  std::size_t closed = 0;                     // connections lost after they were connected
  std::map<std::string, std::size_t> close_reasons;
  // the current phase
  std::vector<std::int64_t> latencies_ns;
  std::uint64_t targeted = 0, targeted_wrong_user = 0, targeted_out_of_order = 0;
  std::uint64_t broadcast = 0, broadcast_out_of_order = 0, unknown = 0;
  std::vector<std::uint32_t> bcount;
  std::vector<std::int64_t> bfirst, blast;

  void start_more();
  void report_connected(bool timed_out);
  void on_message(Conn& c, std::string_view msg);
  void command(const std::string& line);
};

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(State& st, std::size_t index) : st_(st), index_(index), ws_(st.ioc) {}

  std::size_t index() const { return index_; }
  bool ready() const { return phase_ == Phase::ready; }

  // per-phase counters (reset by State::command("reset"))
  std::uint64_t targeted_count = 0;
  std::uint64_t next_targeted = 0;
  std::uint64_t next_broadcast = 0;

  void start() {
    auto& sock = beast::get_lowest_layer(ws_).socket();
    beast::error_code ec;
    sock.open(tcp::v4(), ec);
    if (!ec && st_.opt.per_address > 0) {
      const std::size_t a = index_ / st_.opt.per_address;
      const auto addr = static_cast<std::uint32_t>((127u << 24) | ((1u + a / 250) << 8) | (1u + a % 250));
      sock.bind(tcp::endpoint(net::ip::address_v4(addr), 0), ec);
    }
    if (ec) return fail("socket", ec);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    const tcp::endpoint ep(net::ip::make_address(st_.opt.host), st_.opt.port);
    beast::get_lowest_layer(ws_).async_connect(ep, [self = shared_from_this()](beast::error_code e) {
      if (e) return self->fail("connect", e);
      self->on_connected();
    });
  }

  void send(std::string text) {
    queue_.push_back(std::move(text));
    if (!writing_) write_next();
  }

 private:
  enum class Phase { connecting, wait_open, wait_connect, ready, closed };

  void on_connected() {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.text(true);
    const std::string host = st_.opt.host + ":" + std::to_string(st_.opt.port);
    ws_.async_handshake(host, "/socket.io/?EIO=4&transport=websocket", [self = shared_from_this()](beast::error_code e) {
      if (e) return self->fail("websocket handshake", e);
      self->phase_ = Phase::wait_open;
      self->read();
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
  }

  void on_read(beast::error_code e) {
    if (e) {
      if (phase_ == Phase::ready) return lost(e.message());
      return fail("read", e);
    }
    const auto data = buffer_.cdata();
    const std::string_view msg(static_cast<const char*>(data.data()), data.size());
    switch (phase_) {
      case Phase::wait_open:
        if (msg.empty() || msg[0] != '0') return fail_text("expected the open packet, got " + std::string(msg.substr(0, 60)));
        phase_ = Phase::wait_connect;
        send("40{\"userId\":\"" + std::to_string(index_) + "\"}");
        break;
      case Phase::wait_connect:
        if (msg == "2") {
          send("3");
          break;
        }
        if (msg.substr(0, 2) != "40" || msg.find("\"sid\"") == std::string_view::npos) {
          return fail_text("expected 40{\"sid\":...}, got " + std::string(msg.substr(0, 60)));
        }
        phase_ = Phase::ready;
        st_.connected++;
        st_.in_flight--;
        st_.start_more();
        break;
      case Phase::ready:
        st_.on_message(*this, msg);
        if (phase_ != Phase::ready) return;
        break;
      default:
        return;
    }
    buffer_.consume(buffer_.size());
    read();
  }

  void write_next() {
    if (queue_.empty() || phase_ == Phase::closed) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code e, std::size_t) {
      self->queue_.pop_front();
      if (e) {
        self->writing_ = false;
        return;  // the read side reports the loss
      }
      self->write_next();
    });
  }

  void fail(const char* step, beast::error_code e) { fail_text(std::string(step) + ": " + e.message()); }

  void fail_text(const std::string& reason) {
    if (phase_ == Phase::closed) return;
    if (phase_ == Phase::ready) return lost(reason);
    phase_ = Phase::closed;
    st_.failed++;
    st_.errors[reason.substr(0, 120)]++;
    st_.in_flight--;
    close_socket();
    st_.start_more();
  }

 public:
  void lost(const std::string& reason) {
    if (phase_ != Phase::ready) return;
    phase_ = Phase::closed;
    st_.closed++;
    st_.close_reasons[reason.substr(0, 120)]++;
    close_socket();
  }

 private:
  void close_socket() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  State& st_;
  std::size_t index_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Phase phase_ = Phase::connecting;
  std::deque<std::string> queue_;
  bool writing_ = false;
};

void State::start_more() {
  while (!connect_reported && in_flight < opt.concurrency && next_to_start < opt.clients) {
    auto c = std::make_shared<Conn>(*this, next_to_start++);
    conns.push_back(c);
    in_flight++;
    c->start();
  }
  if (!connect_reported && connected + failed == opt.clients) report_connected(false);
}

void State::report_connected(bool timed_out) {
  connect_reported = true;
  std::string line = "{\"connected\":" + std::to_string(connected) + ",\"failed\":" + std::to_string(failed) +
                     ",\"seconds\":" + std::to_string(static_cast<double>(monotonic_ns() - started_ns) / 1e9) +
                     ",\"timed_out\":" + (timed_out ? "true" : "false") + ",\"errors\":{";
  bool first = true;
  for (const auto& [reason, count] : errors) {
    if (!first) line += ',';
    first = false;
    line += json_string(reason) + ":" + std::to_string(count);
  }
  line += "}}";
  emit_line(line);
}

// The "t" member: a string or a number of nanoseconds.
bool read_time(const rapidjson::Value& obj, std::int64_t& out) {
  const auto it = obj.FindMember("t");
  if (it == obj.MemberEnd()) return false;
  if (it->value.IsString()) {
    const char* s = it->value.GetString();
    const char* end = s + it->value.GetStringLength();
    return std::from_chars(s, end, out).ptr == end;
  }
  if (it->value.IsInt64()) {
    out = it->value.GetInt64();
    return true;
  }
  if (it->value.IsNumber()) {
    out = static_cast<std::int64_t>(it->value.GetDouble());
    return true;
  }
  return false;
}

void State::on_message(Conn& c, std::string_view msg) {
  const std::int64_t now = monotonic_ns();
  if (msg == "2") {
    c.send("3");
    return;
  }
  if (msg.substr(0, 2) == "41" || msg == "1") {
    c.lost(std::string("server closed: ") + std::string(msg.substr(0, 40)));
    return;
  }
  if (msg.substr(0, 2) != "42") {
    unknown++;
    return;
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(msg.data() + 2, msg.size() - 2);
  if (doc.HasParseError() || !doc.IsArray() || doc.Size() < 2 || !doc[0].IsString() ||
      std::string_view(doc[0].GetString(), doc[0].GetStringLength()) != "notification" || !doc[1].IsObject()) {
    unknown++;
    return;
  }
  const rapidjson::Value& obj = doc[1];
  std::int64_t t = 0;
  if (!read_time(obj, t)) {
    unknown++;
    return;
  }
  const auto s = obj.FindMember("s");
  const auto b = obj.FindMember("b");
  if (s != obj.MemberEnd() && s->value.IsUint64()) {
    const std::uint64_t k = s->value.GetUint64();
    const auto u = obj.FindMember("u");
    targeted++;
    c.targeted_count++;
    latencies_ns.push_back(now - t);
    if (u == obj.MemberEnd() || !u->value.IsUint64() || u->value.GetUint64() != c.index() || k % opt.clients != c.index()) {
      targeted_wrong_user++;
    }
    if (k != c.next_targeted) targeted_out_of_order++;
    c.next_targeted = k + opt.clients;
  } else if (b != obj.MemberEnd() && b->value.IsUint64()) {
    const std::uint64_t n = b->value.GetUint64();
    if (n >= 10000000) {
      unknown++;
      return;
    }
    const auto i = static_cast<std::size_t>(n);
    broadcast++;
    if (n != c.next_broadcast) broadcast_out_of_order++;
    c.next_broadcast = n + 1;
    if (i >= bcount.size()) {
      bcount.resize(i + 1, 0);
      bfirst.resize(i + 1, 0);
      blast.resize(i + 1, 0);
    }
    if (bcount[i] == 0) bfirst[i] = now;
    blast[i] = now;
    if (++bcount[i] == connected) {
      emit_line("{\"complete\":" + std::to_string(n) + ",\"first\":" + std::to_string(bfirst[i]) +
                ",\"last\":" + std::to_string(blast[i]) + "}");
    }
  } else {
    unknown++;
  }
}

std::string percentile_ms(std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return "null";
  auto idx = static_cast<std::size_t>(p * static_cast<double>(sorted.size()));
  if (idx > 0 && static_cast<double>(idx) == p * static_cast<double>(sorted.size())) idx--;
  idx = std::min(idx, sorted.size() - 1);
  return std::to_string(static_cast<double>(sorted[idx]) / 1e6);
}

std::string common_fields(const State& st) {
  std::string out = "\"connected\":" + std::to_string(st.connected) + ",\"closed\":" + std::to_string(st.closed) +
                    ",\"unknown\":" + std::to_string(st.unknown) + ",\"close_reasons\":{";
  bool first = true;
  for (const auto& [reason, count] : st.close_reasons) {
    if (!first) out += ',';
    first = false;
    out += json_string(reason) + ":" + std::to_string(count);
  }
  return out + "}";
}

void State::command(const std::string& line) {
  std::string_view cmd(line);
  while (!cmd.empty() && (cmd.back() == '\r' || cmd.back() == ' ')) cmd.remove_suffix(1);
  const auto space = cmd.find(' ');
  const std::string_view verb = cmd.substr(0, space);
  std::uint64_t arg = 0;
  if (space != std::string_view::npos) {
    const auto rest = cmd.substr(space + 1);
    std::from_chars(rest.data(), rest.data() + rest.size(), arg);
  }
  if (verb == "reset") {
    latencies_ns.clear();
    targeted = targeted_wrong_user = targeted_out_of_order = 0;
    broadcast = broadcast_out_of_order = unknown = 0;
    bcount.clear();
    bfirst.clear();
    blast.clear();
    for (auto& c : conns) {
      c->targeted_count = 0;
      c->next_targeted = c->index();
      c->next_broadcast = 0;
    }
    emit_line("{\"reset\":true}");
  } else if (verb == "count") {
    emit_line("{\"count\":{\"targeted\":" + std::to_string(targeted) + ",\"broadcast\":" + std::to_string(broadcast) +
              ",\"closed\":" + std::to_string(closed) + "}}");
  } else if (verb == "targeted") {
    // Exactly (arg - 1 - i) / N + 1 of notifications 0..arg-1 are user i's.
    const std::uint64_t n = opt.clients;
    std::uint64_t missing = 0, extra = 0, users_missing = 0, expected_total = 0;
    std::string sample;
    std::size_t sampled = 0;
    for (std::size_t i = 0; i < opt.clients; i++) {
      const std::uint64_t expected = arg > i ? (arg - 1 - i) / n + 1 : 0;
      expected_total += expected;
      const std::uint64_t got = i < conns.size() ? conns[i]->targeted_count : 0;
      if (got < expected) {
        missing += expected - got;
        users_missing++;
        if (sampled++ < 10) {
          sample += (sample.empty() ? "" : ",") + std::string("\"user:") + std::to_string(i) + " got " +
                    std::to_string(got) + " of " + std::to_string(expected) + "\"";
        }
      } else {
        extra += got - expected;
      }
    }
    std::sort(latencies_ns.begin(), latencies_ns.end());
    double mean = 0;
    for (auto l : latencies_ns) mean += static_cast<double>(l);
    if (!latencies_ns.empty()) mean /= static_cast<double>(latencies_ns.size()) * 1e6;
    emit_line("{\"targeted\":{\"expected\":" + std::to_string(expected_total) + ",\"received\":" +
              std::to_string(targeted) + ",\"missing\":" + std::to_string(missing) + ",\"extra\":" +
              std::to_string(extra) + ",\"users_missing\":" + std::to_string(users_missing) + ",\"missing_sample\":[" +
              sample + "],\"wrong_user\":" + std::to_string(targeted_wrong_user) + ",\"out_of_order\":" +
              std::to_string(targeted_out_of_order) + ",\"p50_ms\":" + percentile_ms(latencies_ns, 0.5) +
              ",\"p99_ms\":" + percentile_ms(latencies_ns, 0.99) + ",\"p999_ms\":" +
              percentile_ms(latencies_ns, 0.999) + ",\"max_ms\":" +
              (latencies_ns.empty() ? std::string("null") : std::to_string(static_cast<double>(latencies_ns.back()) / 1e6)) +
              ",\"mean_ms\":" + std::to_string(mean) + "," + common_fields(*this) + "}}");
  } else if (verb == "broadcasts") {
    std::uint64_t missing = 0, broadcasts_short = 0;
    std::string sample;
    for (std::uint64_t b = 0; b < arg; b++) {
      const std::uint64_t got = b < bcount.size() ? bcount[static_cast<std::size_t>(b)] : 0;
      if (got < opt.clients) {
        missing += opt.clients - got;
        if (broadcasts_short++ < 10) {
          sample += (sample.empty() ? "" : ",") + std::string("\"broadcast ") + std::to_string(b) + " reached " +
                    std::to_string(got) + " of " + std::to_string(opt.clients) + "\"";
        }
      }
    }
    emit_line("{\"broadcasts\":{\"expected\":" + std::to_string(arg * opt.clients) + ",\"received\":" +
              std::to_string(broadcast) + ",\"missing\":" + std::to_string(missing) + ",\"missing_sample\":[" + sample +
              "],\"out_of_order\":" + std::to_string(broadcast_out_of_order) + "," + common_fields(*this) + "}}");
  } else if (verb == "quit") {
    std::fflush(stdout);
    std::_Exit(0);
  } else {
    emit_line("{\"error\":" + json_string("unknown command: " + std::string(cmd)) + "}");
  }
}

bool parse_number(const char* s, std::size_t& out) {
  const char* end = s + std::strlen(s);
  return std::from_chars(s, end, out).ptr == end && end != s;
}

int usage() {
  std::fprintf(stderr,
               "usage: sio-bench-eio-clients --port PORT --clients N [--host 127.0.0.1] [--concurrency 200] "
               "[--time-limit SECONDS] [--per-address 0]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; i++) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    std::size_t n = 0;
    if (a == "--host") {
      opt.host = v;
    } else if (a == "--time-limit") {
      opt.time_limit_s = std::atof(v);
    } else if (!parse_number(v, n)) {
      return usage();
    } else if (a == "--port" && n > 0 && n < 65536) {
      opt.port = static_cast<unsigned short>(n);
    } else if (a == "--clients") {
      opt.clients = n;
    } else if (a == "--concurrency" && n > 0) {
      opt.concurrency = n;
    } else if (a == "--per-address") {
      opt.per_address = n;
    } else {
      return usage();
    }
  }
  if (opt.port == 0 || opt.clients == 0 || !(opt.time_limit_s > 0)) return usage();

  net::io_context ioc(1);
  State st(ioc, opt);
  st.conns.reserve(opt.clients);
  st.started_ns = monotonic_ns();

  net::steady_timer limit(ioc, std::chrono::milliseconds(static_cast<long long>(opt.time_limit_s * 1000)));
  limit.async_wait([&st](beast::error_code e) {
    if (!e && !st.connect_reported) st.report_connected(true);
  });
  net::post(ioc, [&st] { st.start_more(); });

  // Commands arrive on stdin; EOF (the driver went away) ends the process.
  std::thread([&ioc, &st] {
    std::string line;
    while (std::getline(std::cin, line)) {
      net::post(ioc, [&st, line] { st.command(line); });
    }
    net::post(ioc, [&st] { st.command("quit"); });
  }).detach();

  auto guard = net::make_work_guard(ioc);
  ioc.run();
  return 0;
}
