#include "output.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace notify {
namespace {

// A JSON string literal with JSON.stringify escaping.
std::string json_string(const std::string& text) { return sio::to_json(sio::value(text)); }

// What the payload carries: msgpack broadcasts decoded, JSON requests as they are.
std::string decoded_view(const std::string& payload) {
  if (!payload.empty() && payload.front() == '{') return payload;
  return sio::msgpack_to_json(payload);
}

void print_dry_run_text(const sio::Published& p) {
  fmt::print("{} {} ({} bytes)\n{}\n{}\n", p.command, p.channel, p.payload.size(), to_hex(p.payload),
             decoded_view(p.payload));
}

void print_json_line(const sio::Published& p) {
  std::string line = fmt::format(R"({{"command":{},"channel":{},"bytes":{},"receivers":)", json_string(p.command),
                                 json_string(p.channel), p.payload.size());
  if (p.receivers) {
    line += fmt::format("{}}}", *p.receivers);
  } else if (!p.offset.empty()) {
    line += fmt::format(R"(null,"offset":{}}})", json_string(p.offset));  // streams mode: the entry's id
  } else {
    line += fmt::format(R"(null,"payload_hex":"{}","decoded":{}}})", to_hex(p.payload), decoded_view(p.payload));
  }
  fmt::print("{}\n", line);
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex.push_back(digits[byte >> 4U]);
    hex.push_back(digits[byte & 0x0FU]);
  }
  return hex;
}

std::string no_receivers_message(const sio::Published& p, const std::string& key, const std::string& nsp) {
  if (p.command == "SPUBLISH")  // servers subscribe a room's shard channel only while it has sockets there
    return fmt::format("0 receivers for SPUBLISH {}: no Socket.IO server subscribes this shard channel (with "
                       "dynamic subscriptions: no socket is in that room)",
                       p.channel);
  return fmt::format("0 receivers for {} {}: no Socket.IO server subscribes to key \"{}\", namespace \"{}\"", p.command,
                     p.channel, key, nsp);
}

void print_published_verbose(const sio::Published& p) {
  if (!p.offset.empty()) {
    fmt::print(stderr, "notify: added {} bytes to stream {} (XADD): entry {}\n", p.payload.size(), p.channel,
               p.offset);
    return;
  }
  if (!p.receivers) return;  // a dry run published nothing; its output already says what would be sent
  const long long receivers = *p.receivers;
  fmt::print(stderr, "notify: published {} bytes on {} ({}): {} {}\n", p.payload.size(), p.channel, p.command,
             receivers, receivers == 1 ? "receiver" : "receivers");
}

void print_published(const sio::Published& p, const cli_options& options) {
  if (options.json_output) {
    print_json_line(p);
  } else if (options.dry_run) {
    print_dry_run_text(p);
  }
  if (options.verbose) print_published_verbose(p);
}

bool flush_stdout() { return std::fflush(stdout) == 0 && std::ferror(stdout) == 0; }

void print_note(std::string_view message) { fmt::print(stderr, "notify: {}\n", message); }

void print_warning(std::string_view message) { fmt::print(stderr, "notify: warning: {}\n", message); }

void print_error(std::string_view message) { fmt::print(stderr, "notify: error: {}\n", message); }

void print_usage_error(std::string_view message) {
  print_error(message);
  fmt::print(stderr, "Run with --help for more information.\n");
}

}  // namespace notify
