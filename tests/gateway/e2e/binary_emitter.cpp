// The publisher of the binary cases of adapter-modes.test.mjs (notify sends JSON only): one emit through the public
// C++ API, io.to(ROOM).emit("file", <the bytes of HEX as a Buffer>, {"name": NAME}), in the given adapter mode.
//
//   sio-e2e-binary-emitter --redis URL --mode classic|sharded|streams [--subscription-mode dynamic|static|
//                          dynamic-private] --room ROOM --hex HEX --name NAME
//
// stdout: {"command":"SPUBLISH","channel":"...","receivers":2,"offset":"..."} (what sio::Published reports). Exit 0
// once Redis acknowledged the publish; 1 if the emit failed (the error on stderr); 2 on bad usage.
#include <sio/emitter.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "sio-e2e-binary-emitter: %s\nusage: sio-e2e-binary-emitter --redis URL --mode MODE "
                       "[--subscription-mode M] --room ROOM --hex HEX --name NAME\n", why);
  std::exit(2);
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    usage("--hex takes lowercase hex digits");
  };
  if (hex.size() % 2 != 0) usage("--hex needs an even number of digits");
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(digit(hex[i]) * 16 + digit(hex[i + 1])));
  return out;
}

// The strings passed here are ASCII without quotes or backslashes (checked by the caller's usage).
std::string json_string(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

int main(int argc, char** argv) {
  sio::Options options;
  std::string room, hex, name;
  bool has_hex = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) usage("missing value");
    const std::string_view v = argv[++i];
    if (a == "--redis") {
      options.redis_url = v;
    } else if (a == "--mode") {
      if (v == "classic") options.mode = sio::Options::adapter_mode::classic;
      else if (v == "sharded") options.mode = sio::Options::adapter_mode::sharded;
      else if (v == "streams") options.mode = sio::Options::adapter_mode::streams;
      else usage("unknown --mode");
    } else if (a == "--subscription-mode") {
      if (v == "dynamic") options.subscription = sio::Options::subscription_mode::dynamic;
      else if (v == "static") options.subscription = sio::Options::subscription_mode::static_;
      else if (v == "dynamic-private") options.subscription = sio::Options::subscription_mode::dynamic_private;
      else usage("unknown --subscription-mode");
    } else if (a == "--room") {
      room = v;
    } else if (a == "--hex") {
      hex = v;
      has_hex = true;
    } else if (a == "--name") {
      name = v;
    } else {
      usage("unknown option");
    }
  }
  if (room.empty() || !has_hex || name.empty()) usage("--room, --hex and --name are required");
  if (name.find_first_of("\"\\") != std::string::npos) usage("--name must not contain quotes or backslashes");

  try {
    const sio::Emitter io{options};
    const sio::Published p = io.to(room).emit_sync("file", sio::binary(from_hex(hex)),
                                                   sio::json("{\"name\":" + json_string(name) + "}"));
    std::printf("{\"command\":%s,\"channel\":%s,\"receivers\":%lld,\"offset\":%s}\n", json_string(p.command).c_str(),
                json_string(p.channel).c_str(), p.receivers.value_or(-1), json_string(p.offset).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-e2e-binary-emitter: %s\n", e.what());
    return 1;
  }
}
