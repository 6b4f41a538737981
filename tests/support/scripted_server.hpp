// A scripted Socket.IO server for requester tests: SUBSCRIBEs a request channel as a Node server's adapter does
// (so it counts in PUBSUB NUMSUB), hands each request's bytes to a script and PUBLISHes the (channel, payload)
// answers the script returns. Also records PUBSUB NUMSUB of the request channel as each request arrived, which
// shows whether the requester counted itself in.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/subscriber.hpp"

namespace sio::test {

class scripted_server {
 public:
  using answers = std::vector<std::pair<std::string, std::string>>;  // (channel, payload)
  using script = std::function<answers(const std::string& request_payload)>;

  scripted_server(const redis_server& redis, script answer, std::string request_channel = "socket.io-request#/#");
  ~scripted_server();
  scripted_server(const scripted_server&) = delete;
  scripted_server& operator=(const scripted_server&) = delete;

  std::vector<std::string> requests() const;             // payloads, in arrival order
  std::vector<std::string> numsub_at_request() const;    // redis_server::command's rendering, e.g. "ch\n2"

 private:
  void run();

  const redis_server& redis_;
  const std::string channel_;
  subscriber requests_;
  script answer_;
  mutable std::mutex mutex_;
  std::vector<std::string> seen_;
  std::vector<std::string> numsub_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sio::test
