// cli/retry.cpp on a fake clock with loaded dice: backoff bounds, what is retried and what never is, and how
// --deadline cuts attempts and backoff.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "retry.hpp"
#include "sio/error.hpp"

namespace {

using std::chrono::milliseconds;
using notify::exit_code;
using steady = std::chrono::steady_clock;

// A clock that moves only when the loop sleeps or an attempt says it took time; draws return a fixed share of
// their bound.
struct fake_world {
  steady::time_point now = steady::time_point{} + std::chrono::hours(1);
  const steady::time_point start = now;
  int draw_percent = 100;
  std::vector<milliseconds> bounds;
  std::vector<milliseconds> sleeps;
  std::vector<std::string> notes;

  notify::retry_world world() {
    notify::retry_world w;
    w.now = [this] { return now; };
    w.sleep = [this](milliseconds d) {
      sleeps.push_back(d);
      now += d;
    };
    w.draw = [this](milliseconds bound) {
      bounds.push_back(bound);
      return bound * draw_percent / 100;
    };
    w.note = [this](std::string_view line) { notes.emplace_back(line); };
    return w;
  }
  milliseconds elapsed() const { return std::chrono::duration_cast<milliseconds>(now - start); }
};

notify::retry_policy policy(int retries, std::optional<milliseconds> deadline = std::nullopt) {
  notify::retry_policy p;
  p.retries = retries;
  p.deadline = deadline;
  return p;
}

// Runs the loop; the error it ends with (empty message and ok code when it returned).
struct ending {
  exit_code code = exit_code::success;
  sio::errc error = sio::errc::ok;
  std::string message;
  bool same_exception = false;  // the attempt's own exception came through, not "gave up"
};

template <typename Attempt>
ending run(const notify::retry_policy& p, fake_world& fake, Attempt attempt) {
  ending e;
  try {
    e.code = notify::run_with_retry(p, fake.world(), attempt);
  } catch (const sio::error& error) {
    e.error = error.code();
    e.message = error.what();
    e.same_exception = e.message.rfind("gave up", 0) != 0;
  }
  return e;
}

}  // namespace

TEST_CASE("the backoff bound doubles from the base up to the cap") {
  notify::retry_policy p;
  const std::vector<long long> expected{100, 200, 400, 800, 1600, 2000, 2000};
  for (int retry = 0; retry < static_cast<int>(expected.size()); ++retry) {
    CHECK(notify::backoff_bound(p, retry).count() == expected[static_cast<std::size_t>(retry)]);
  }
  CHECK(notify::backoff_bound(p, 1'000'000'000).count() == 2000);  // no overflow
  p.base_delay = milliseconds{3000};                               // a base above the cap is the cap
  CHECK(notify::backoff_bound(p, 0).count() == 3000);
  CHECK(notify::backoff_bound(p, 5).count() == 3000);
}

TEST_CASE("only Redis unreachable and timeouts are transient") {
  CHECK(notify::transient(sio::connection_error("refused")));
  CHECK(notify::transient(sio::timeout_error("silent")));
  CHECK_FALSE(notify::transient(sio::auth_error("WRONGPASS")));
  CHECK_FALSE(notify::transient(sio::reply_error("ERR")));
  CHECK_FALSE(notify::transient(sio::redis_error(sio::errc::protocol, "?")));
  CHECK_FALSE(notify::transient(sio::data_error(sio::errc::invalid_json, "bad")));
  // A code alone is not enough: a data_error never means Redis is down.
  CHECK_FALSE(notify::transient(sio::data_error(sio::errc::connection, "odd")));
}

TEST_CASE("without --retry and --deadline a failure comes through unchanged") {
  fake_world fake;
  int attempts = 0;
  const ending e = run(policy(0), fake, [&](milliseconds) -> exit_code {
    ++attempts;
    throw sio::connection_error("cannot connect to Redis: Connection refused");
  });
  CHECK(attempts == 1);
  CHECK(e.same_exception);
  CHECK(e.message == "cannot connect to Redis: Connection refused");
  CHECK(fake.sleeps.empty());
  CHECK(fake.notes.empty());
}

TEST_CASE("--retry 2: three attempts, backoff drawn below 100 then 200 ms, then gave up") {
  fake_world fake;
  fake.draw_percent = 50;
  std::vector<milliseconds> timeouts;
  const ending e = run(policy(2), fake, [&](milliseconds timeout) -> exit_code {
    timeouts.push_back(timeout);
    throw sio::connection_error("Connection refused");
  });
  CHECK(timeouts == std::vector<milliseconds>(3, milliseconds{5000}));
  CHECK(fake.bounds == std::vector<milliseconds>{milliseconds{100}, milliseconds{200}});
  CHECK(fake.sleeps == std::vector<milliseconds>{milliseconds{50}, milliseconds{100}});
  CHECK(e.error == sio::errc::connection);
  CHECK(e.message == "gave up after 3 attempts in 150 ms: Connection refused");
  REQUIRE(fake.notes.size() == 2);
  CHECK(fake.notes[0] == "attempt 1 failed: Connection refused; retrying in 50 ms");
  CHECK(fake.notes[1] == "attempt 2 failed: Connection refused; retrying in 100 ms");
}

TEST_CASE("a retry that succeeds returns the attempt's exit code") {
  fake_world fake;
  int attempts = 0;
  const ending e = run(policy(5), fake, [&](milliseconds) {
    if (++attempts < 3) throw sio::timeout_error("Redis did not answer within 5000 ms");
    return exit_code::success;
  });
  CHECK(attempts == 3);
  CHECK(e.code == exit_code::success);
  CHECK(e.error == sio::errc::ok);
  CHECK(fake.sleeps.size() == 2);
}

TEST_CASE("bad input, refusals and outcomes are never retried") {
  SUBCASE("invalid data") {
    fake_world fake;
    int attempts = 0;
    const ending e = run(policy(3), fake, [&](milliseconds) -> exit_code {
      ++attempts;
      throw sio::data_error(sio::errc::invalid_json, "invalid JSON at line 1, column 8");
    });
    CHECK(attempts == 1);
    CHECK(e.same_exception);
    CHECK(e.error == sio::errc::invalid_json);
    CHECK(fake.sleeps.empty());
  }
  SUBCASE("wrong password") {
    fake_world fake;
    int attempts = 0;
    const ending e = run(policy(3, milliseconds{10'000}), fake, [&](milliseconds) -> exit_code {
      ++attempts;
      throw sio::auth_error("refused AUTH");
    });
    CHECK(attempts == 1);
    CHECK(e.same_exception);
    CHECK(e.message == "refused AUTH");
    CHECK(fake.notes.empty());
  }
  SUBCASE("an outcome, even a timeout code from servers slow to answer") {
    for (const exit_code outcome : {exit_code::no_receivers, exit_code::nobody_reached, exit_code::timeout}) {
      fake_world fake;
      int attempts = 0;
      const ending e = run(policy(3), fake, [&](milliseconds) {
        ++attempts;
        return outcome;
      });
      CHECK(attempts == 1);
      CHECK(e.code == outcome);
    }
  }
}

TEST_CASE("--deadline cuts each attempt's timeout and the last backoff, and no attempt starts after it") {
  fake_world fake;
  std::vector<milliseconds> timeouts;
  std::vector<milliseconds> started_at;
  // Each attempt fails after 300 ms (or its timeout, when shorter); draws take the whole bound.
  const ending e = run(policy(100, milliseconds{1000}), fake, [&](milliseconds timeout) -> exit_code {
    started_at.push_back(fake.elapsed());
    timeouts.push_back(timeout);
    fake.now += std::min(timeout, milliseconds{300});
    throw sio::timeout_error("silent");
  });
  // 0: 300 ms, backoff 100 -> 400: 300 ms, backoff 200 -> 900: cut to 100 ms; backoff 400 cut to the deadline.
  CHECK(started_at == std::vector<milliseconds>{milliseconds{0}, milliseconds{400}, milliseconds{900}});
  CHECK(timeouts == std::vector<milliseconds>{milliseconds{1000}, milliseconds{600}, milliseconds{100}});
  CHECK(fake.elapsed() == milliseconds{1000});
  CHECK(fake.sleeps == std::vector<milliseconds>{milliseconds{100}, milliseconds{200}});
  CHECK(e.error == sio::errc::timeout);
  CHECK(e.message == "gave up after 3 attempts in 1000 ms: silent");
}

TEST_CASE("--deadline: a backoff reaching past it is cut to it, then the loop gives up") {
  fake_world fake;
  int attempts = 0;
  notify::retry_policy p = policy(100, milliseconds{250});
  p.base_delay = milliseconds{200};
  const ending e = run(p, fake, [&](milliseconds) -> exit_code {
    ++attempts;
    fake.now += milliseconds{10};
    throw sio::connection_error("refused");
  });
  // 0-10 attempt, 200 ms backoff, 210-220 attempt, a 400 ms backoff cut to the 30 ms left.
  CHECK(attempts == 2);
  CHECK(fake.sleeps == std::vector<milliseconds>{milliseconds{200}, milliseconds{30}});
  CHECK(fake.elapsed() == milliseconds{250});
  REQUIRE(fake.notes.size() == 2);
  CHECK(fake.notes[1] == "attempt 2 failed: refused; no retry: the deadline passes in 30 ms");
  CHECK(e.error == sio::errc::connection);
  CHECK(e.message == "gave up after 2 attempts in 250 ms: refused");
}

TEST_CASE("--deadline alone: one attempt, its timeout cut, reported as given up") {
  fake_world fake;
  const ending e = run(policy(0, milliseconds{300}), fake, [&](milliseconds timeout) -> exit_code {
    CHECK(timeout == milliseconds{300});
    fake.now += timeout;
    throw sio::timeout_error("Redis did not answer within 300 ms");
  });
  CHECK(fake.sleeps.empty());
  CHECK(fake.notes.empty());
  CHECK(e.message == "gave up after 1 attempt in 300 ms: Redis did not answer within 300 ms");
}
