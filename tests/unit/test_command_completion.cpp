// The pipeline's completion type (sio/internal/redis/command_completion.hpp): called once with the outcome, moved
// without copying its capture, destroyed exactly once, whether the capture is held in place or on the heap.
#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <string>
#include <utility>

#include "sio/internal/redis/redis_pipeline.hpp"

using sio::detail::command_completion;
using sio::detail::command_outcome;

namespace {

struct counted {
  std::shared_ptr<int> alive = std::make_shared<int>(0);  // use_count: how many copies exist
};

}  // namespace

TEST_CASE("command_completion: empty, called, moved and destroyed once, in place or on the heap") {
  command_completion none;
  CHECK_FALSE(none);
  command_completion also_none = {};
  CHECK_FALSE(also_none);

  counted token;
  std::string seen;
  {
    command_completion small = [&seen, keep = token.alive](const command_outcome& o) { seen = o.message; };
    CHECK(token.alive.use_count() == 2);
    command_completion moved = std::move(small);
    CHECK_FALSE(small);  // NOLINT(bugprone-use-after-move): a moved-from completion is empty
    CHECK(token.alive.use_count() == 2);
    moved(command_outcome{sio::errc::ok, "in place", {}, true});
    CHECK(seen == "in place");

    std::array<char, 200> big{};  // larger than the in-place buffer: held on the heap
    big[0] = 'h';
    command_completion large = [&seen, big, keep = token.alive](const command_outcome& o) { seen = big[0] + o.message; };
    CHECK(token.alive.use_count() == 3);
    command_completion target;
    target = std::move(large);
    CHECK_FALSE(large);  // NOLINT(bugprone-use-after-move)
    target(command_outcome{sio::errc::ok, "eap", {}, true});
    CHECK(seen == "heap");
    target = std::move(moved);  // the heap one is destroyed, the small one moved in
    CHECK(token.alive.use_count() == 2);
  }
  CHECK(token.alive.use_count() == 1);  // every capture destroyed exactly once
}
