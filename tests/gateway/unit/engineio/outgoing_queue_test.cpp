// outgoing_queue: the per-connection FIFO of packets waiting to be written (engineio/outgoing_item.hpp). What a user
// would notice: packets leave in the order they came, and an idle connection holds no queue memory.
#include <doctest/doctest.h>

#include <string>

#include "engineio/outgoing_item.hpp"

using sio::gateway::engineio::outgoing_item;
using sio::gateway::engineio::outgoing_queue;

namespace {

std::string text(const outgoing_item& item) { return std::string{item.bytes()}; }

}  // namespace

TEST_CASE("outgoing_queue: first in, first out, and nothing allocated before use") {
  outgoing_queue q;
  CHECK(q.empty());
  CHECK(q.capacity() == 0);  // an idle connection's queue costs nothing (std::deque allocated 512 bytes)
  for (int i = 0; i < 10; ++i) q.push_back(outgoing_item::control(std::to_string(i)));
  CHECK(q.size() == 10);
  std::string all;
  for (const auto& item : q) all += text(item);
  CHECK(all == "0123456789");
  CHECK(text(q.back()) == "9");
  q.pop_back();
  std::string order;
  while (!q.empty()) {
    order += text(q.front());
    q.pop_front();
  }
  CHECK(order == "012345678");
}

TEST_CASE("outgoing_queue: a drained burst gives its room back, a few packets' room is kept") {
  outgoing_queue q;
  for (int i = 0; i < 1000; ++i) q.push_back(outgoing_item::control("burst"));
  CHECK(q.capacity() >= 1000);
  while (!q.empty()) q.pop_front();
  CHECK(q.capacity() == 0);
  q.push_back(outgoing_item::control("one"));
  q.pop_front();
  CHECK(q.capacity() == 1);  // a notification to an idle socket: no allocation the next time
  q.push_back(outgoing_item::control("x"));
  q.clear();
  CHECK(q.empty());
}

TEST_CASE("outgoing_queue: a connection that is never drained does not grow without end") {
  outgoing_queue q;
  for (int i = 0; i < 10; ++i) q.push_back(outgoing_item::control(std::to_string(i)));
  int next_in = 10;
  int next_out = 0;
  for (int round = 0; round < 100000; ++round) {  // always 10 waiting: one written, one more queued
    REQUIRE(text(q.front()) == std::to_string(next_out++));
    q.pop_front();
    q.push_back(outgoing_item::control(std::to_string(next_in++)));
  }
  CHECK(q.size() == 10);
  CHECK(q.capacity() <= 128);
}
