#include "support/scripted_server.hpp"

#include <chrono>

#include "support/redis_server.hpp"

namespace sio::test {

using namespace std::chrono_literals;

scripted_server::scripted_server(const redis_server& redis, script answer, std::string request_channel)
    : redis_(redis),
      channel_(std::move(request_channel)),
      requests_(redis, {channel_}, subscriber::mode::channels),
      answer_(std::move(answer)),
      thread_([this] { run(); }) {}

scripted_server::~scripted_server() {
  stop_ = true;
  thread_.join();
}

std::vector<std::string> scripted_server::requests() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

std::vector<std::string> scripted_server::numsub_at_request() const {
  std::lock_guard lock(mutex_);
  return numsub_;
}

void scripted_server::run() {
  while (!stop_) {
    const auto message = requests_.next_message(50ms);
    if (!message) continue;
    auto numsub = redis_.command({"PUBSUB", "NUMSUB", channel_});
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(message->payload);
      numsub_.push_back(std::move(numsub));
    }
    for (const auto& [channel, payload] : answer_(message->payload)) redis_.command({"PUBLISH", channel, payload});
  }
}

}  // namespace sio::test
