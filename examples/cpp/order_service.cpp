// A minimal order service: tells a user that their order changed, the way a backend would with sio.
//   sio-example-order-service [redis-url] [user-id] [order-id]
#include <chrono>
#include <cstdio>
#include <string>

#include <sio/emitter.hpp>

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "redis://127.0.0.1:6379";
  const std::string user = argc > 2 ? argv[2] : "42";
  const long long order = argc > 3 ? std::stoll(argv[3]) : 7;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());

  try {
    sio::Emitter io{sio::Options{.redis_url = url}};
    const auto published = io.to("user:" + user).emit(
        "notification", sio::value::object({{"type", "ORDER_UPDATED"},
                                            {"payload", sio::value::object({{"orderId", order}})},
                                            {"timestamp", now.count()}}));
    std::printf("published %zu bytes on %s: %lld receiver(s)\n", published.payload.size(),
                published.channel.c_str(), published.receivers.value_or(0));
    return 0;
  } catch (const sio::data_error& e) {
    std::fprintf(stderr, "bad notification: %s\n", e.what());
    return 2;
  } catch (const sio::redis_error& e) {
    std::fprintf(stderr, "could not publish (%s): %s\n", sio::to_string(e.code()), e.what());
    return 1;
  }
}
