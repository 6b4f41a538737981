// An Engine.IO server for the integration tests: echoes every message (text as text, binary as binary) and
// reports what it sees on stdout, one line each, for the tests to assert on:
//   listening <port>
//   open <sid> <transport>
//   close <sid> <transport> <reason>
// A few text messages are commands: "close" closes the session from the server, "stats" answers with the
// server's counters as JSON, "writable" answers whether the session is writable at that moment.
// Runs until stdin closes or SIGTERM/SIGINT, then shuts down (clients get the close packet).
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "engineio/server.hpp"

namespace eio = sio::gateway::engineio;
using sio::gateway::outgoing_packet;

namespace {

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

class echo_handler final : public eio::handler {
 public:
  eio::server* server = nullptr;

  void on_open(const std::shared_ptr<eio::session>& s) override {
    // No Socket.IO layer to authenticate anyone: every session may send up to max_payload at once.
    s->authenticated();
    say(fmt::format("open {} {}", s->id(), s->transport()));
  }

  void on_message(const std::shared_ptr<eio::session>& s, std::string_view data, bool binary) override {
    auto packet = std::make_shared<outgoing_packet>();
    if (binary) {
      packet->attachments.emplace_back(data);  // no text: the binary message alone
    } else if (data == "close") {
      s->close("forced close");
      return;
    } else if (data == "stats") {
      const auto st = server->stats();
      packet->text = fmt::format(
          R"(4{{"open":{},"websocket":{},"polling":{},"handshakes":{},"upgrades":{},"packets":{},"bytes":{}}})",
          st.open_sessions, st.websocket_sessions, st.polling_sessions, st.handshakes_total, st.upgrades_total,
          st.packets_sent_total, st.bytes_sent_total);
    } else if (data == "writable") {
      packet->text = s->writable() ? "4writable:true" : "4writable:false";
    } else {
      packet->text = "4" + std::string{data};
    }
    s->send(packet, true);
  }

  void on_close(const std::shared_ptr<eio::session>& s, std::string_view reason) override {
    say(fmt::format("close {} {} {}", s->id(), s->transport(), reason));
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Engine.IO echo server for the gateway's integration tests"};
  eio::server_options options;
  options.port = 0;
  long ping_interval = 25000;
  long ping_timeout = 20000;
  long upgrade_timeout = 10000;
  app.add_option("--ping-interval", ping_interval, "ms");
  app.add_option("--ping-timeout", ping_timeout, "ms");
  app.add_option("--upgrade-timeout", upgrade_timeout, "ms");
  app.add_option("--max-payload", options.max_payload, "bytes");
  app.add_option("--cors-origin", options.cors_origins, "allowed origin (repeatable)");
  app.add_flag("--cors-credentials", options.cors_credentials);
  app.add_option("--path", options.path);
  CLI11_PARSE(app, argc, argv);
  options.ping_interval = std::chrono::milliseconds{ping_interval};
  options.ping_timeout = std::chrono::milliseconds{ping_timeout};
  options.upgrade_timeout = std::chrono::milliseconds{upgrade_timeout};

  boost::asio::io_context io;
  echo_handler handler;
  eio::server server{io, options, handler, [](const eio::http_request& req) -> std::optional<eio::http_response> {
                       if (req.target() != "/hello") return std::nullopt;
                       eio::http_response res{boost::beast::http::status::ok, req.version()};
                       res.set(boost::beast::http::field::content_type, "text/plain");
                       res.body() = "hello\n";
                       res.prepare_payload();
                       res.keep_alive(req.keep_alive());
                       return res;
                     }};
  handler.server = &server;
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "eio_echo_server: " << e.what() << "\n";
    return 1;
  }
  say(fmt::format("listening {}", server.port()));

  bool stopping = false;
  const auto stop = [&] {
    if (stopping) return;
    stopping = true;
    server.shutdown("server shutting down", std::chrono::milliseconds{2000}, [&] {
      say("shutdown complete");
      io.stop();
    });
  };
  boost::asio::signal_set signals{io, SIGTERM, SIGINT};
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop();
  });
  boost::asio::posix::stream_descriptor input{io, ::dup(STDIN_FILENO)};
  char buf[256];
  std::function<void()> read_stdin = [&] {
    input.async_read_some(boost::asio::buffer(buf), [&](const boost::system::error_code& ec, std::size_t) {
      if (ec) {
        stop();
        return;
      }
      read_stdin();
    });
  };
  read_stdin();
  io.run();
  return 0;
}
