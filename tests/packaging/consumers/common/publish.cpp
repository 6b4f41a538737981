// A C++ application of the installed sio: the PROTOCOL.md §9.1 broadcast, dry-run then published to the Redis URL
// given as argv[1], plus an sio::data_error caught here although the library threw it. Prints what the packaging
// test checks: "version", "dry-run payload", "caught", "receivers".
#include <sio/emitter.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace {

constexpr const char* kNotification = R"({"type":"ORDER_UPDATED","payload":{"id":1},"timestamp":1700000000000})";

std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s REDIS_URL\n", argv[0]);
    return 2;
  }
  try {
    std::printf("version: headers %s, library %s\n", SIO_VERSION_STRING, sio::version());
    if (std::string(sio::version()) != SIO_VERSION_STRING) return 1;

    sio::Emitter dry{sio::Options{.redis_url = argv[1], .dry_run = true}};
    const auto encoded = dry.to("user:42").emit_sync("notification", sio::json(kNotification));
    std::printf("dry-run channel: %s\n", encoded.channel.c_str());
    std::printf("dry-run payload: %s\n", hex(encoded.payload).c_str());

    // Thrown inside libsio-emitter, caught by its exact type here.
    try {
      dry.emit_sync("connect", 1);
      std::printf("caught: nothing (a reserved event name was accepted)\n");
      return 1;
    } catch (const sio::data_error& e) {
      std::printf("caught: sio::data_error (%s): %s\n", sio::to_string(e.code()), e.what());
    }

    sio::Emitter io{sio::Options{.redis_url = argv[1]}};
    const auto published = io.to("user:42").emit_sync("notification", sio::json(kNotification));
    std::printf("receivers: %lld\n", published.receivers.value_or(-1));
    return 0;
  } catch (const sio::error& e) {
    std::fprintf(stderr, "sio error (%s): %s\n", sio::to_string(e.code()), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception: %s\n", e.what());
  }
  return 1;
}
