// sio-bench-encode: the CPU cost of publishing one typical notification, without Redis.
//
//   to("user:<n>").emit("notification", {"type":"ORDER_UPDATED","payload":{"orderId":i},"timestamp":<ms>})
//
// Benchmarks (each reports ns per operation and the counter allocs_per_op: heap allocations per operation in
// the steady state, counted by the replacement operator new below):
//   encode_notification    detail::validate + detail::encode_classic into a reused command: the library's hot
//                          path. Targets and values are built before the timed loop. Target: < 300 ns, 0 allocs.
//   build_value            sio::value::object(...) for one notification: what a caller pays per message.
//   json_value/notification  sio::json(text) of the same notification: the cost for callers holding JSON text.
//   json_value/stdin_line  sio::json(text) of a notify --stdin line carrying it: what notify --stdin did per line
//                          before read_json_members.
//   json_members           sio::read_json_members(text) of that line: its JSON read straight into msgpack (for
//                          emit_msgpack), no value tree. Compare json_value/stdin_line.
//   emit_dry_run           the public path in dry-run mode (Emitter{.dry_run = true}): io.to(room).emit(...) with
//                          a prebuilt value. to() builds a target (a shared_ptr and a room vector), so it allocates.
//   emit_dry_run_build     the same with the value built per call, as sio-bench-publish does.
//
//   sio-bench-encode [Google Benchmark flags, e.g. --benchmark_format=json --benchmark_min_time=0.2]
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "sio/internal/protocol/classic_codec.hpp"
#include "sio/internal/protocol/operation.hpp"
#include "sio/internal/protocol/validate.hpp"
#include "sio/emitter.hpp"

// --- Allocation counting: every global operator new of this process goes through here ---------------------------

namespace {
std::atomic<std::uint64_t> g_allocations{0};

void* counted_alloc(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  if (void* p = std::malloc(size)) return p;
  throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto alignment = static_cast<std::size_t>(align);
  std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  if (rounded == 0) rounded = alignment;
  if (void* p = std::aligned_alloc(alignment, rounded)) return p;
  throw std::bad_alloc();
}

std::uint64_t allocations() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) { return counted_aligned_alloc(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return counted_aligned_alloc(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

// --- The notification --------------------------------------------------------------------------------------------

namespace {

constexpr std::size_t kRooms = 1000;
constexpr std::size_t kValues = 1024;                 // a power of two: index with a mask
constexpr std::int64_t kTimestamp = 1764336000000;    // fixed: 2025-11-28T13:20:00Z
constexpr std::int64_t kFirstOrderId = 100000;        // orderIds of 200k-message runs are mostly this wide

sio::value notification(std::int64_t order_id) {
  return sio::value::object({{"type", "ORDER_UPDATED"},
                             {"payload", sio::value::object({{"orderId", order_id}})},
                             {"timestamp", kTimestamp}});
}

std::vector<std::string> room_names() {
  std::vector<std::string> rooms;
  rooms.reserve(kRooms);
  for (std::size_t n = 0; n < kRooms; ++n) rooms.push_back("user:" + std::to_string(n));
  return rooms;
}

std::vector<sio::value> prebuilt_values() {
  std::vector<sio::value> values;
  values.reserve(kValues);
  for (std::size_t k = 0; k < kValues; ++k)
    values.push_back(notification(kFirstOrderId + static_cast<std::int64_t>(k)));
  return values;
}

void report_allocations(benchmark::State& state, std::uint64_t before) {
  state.counters["allocs_per_op"] =
      benchmark::Counter(static_cast<double>(allocations() - before), benchmark::Counter::kAvgIterations);
}

// validate + encode_classic into one reused command: the work emit() does before queueing the bytes.
void encode_notification(benchmark::State& state) {
  const auto rooms = room_names();
  std::vector<sio::detail::target> targets(kRooms);
  for (std::size_t n = 0; n < kRooms; ++n) targets[n].add_room(rooms[n]);
  const auto values = prebuilt_values();
  sio::detail::command cmd;
  sio::detail::operation op;
  op.kind = sio::detail::operation_kind::broadcast;
  op.event = "notification";

  std::size_t i = 0;
  const auto encode_next = [&] {
    op.to = &targets[i % kRooms];
    op.args = std::span<const sio::value>(&values[i & (kValues - 1)], 1);
    sio::detail::validate(op);
    sio::detail::encode_classic(op, "socket.io", cmd);
    ++i;
  };
  for (std::size_t warm = 0; warm < 2 * kValues; ++warm) encode_next();  // grow cmd's buffers: steady state

  const auto before = allocations();
  for (auto _ : state) {
    encode_next();
    benchmark::DoNotOptimize(cmd.payload.data());
    benchmark::DoNotOptimize(cmd.channel.data());
    benchmark::ClobberMemory();
  }
  report_allocations(state, before);
  state.counters["payload_bytes"] = static_cast<double>(cmd.payload.size());
}
BENCHMARK(encode_notification);

void build_value(benchmark::State& state) {
  std::int64_t order_id = kFirstOrderId;
  const auto before = allocations();
  for (auto _ : state) {
    auto v = notification(order_id++);
    benchmark::DoNotOptimize(v);
  }
  report_allocations(state, before);
}
BENCHMARK(build_value);

// The notification alone, and a notify --stdin line carrying it (its target, type, payload and timestamp).
constexpr const char* notification_json =
    R"({"type":"ORDER_UPDATED","payload":{"orderId":100000},"timestamp":1764336000000})";
constexpr const char* stdin_line =
    R"({"user":"421","type":"ORDER_UPDATED","payload":{"orderId":100000},"timestamp":1764336000000})";

void json_value(benchmark::State& state, const char* json) {
  const std::string text = json;
  const auto before = allocations();
  for (auto _ : state) {
    auto v = sio::json(text);
    benchmark::DoNotOptimize(v);
  }
  report_allocations(state, before);
}
BENCHMARK_CAPTURE(json_value, notification, notification_json);
BENCHMARK_CAPTURE(json_value, stdin_line, stdin_line);

void json_members(benchmark::State& state) {
  const std::string text = stdin_line;
  sio::json_members members;
  const auto before = allocations();
  for (auto _ : state) {
    benchmark::DoNotOptimize(sio::read_json_members(text, members));
    benchmark::DoNotOptimize(members.msgpack.data());
  }
  report_allocations(state, before);
}
BENCHMARK(json_members);

void emit_dry_run(benchmark::State& state) {
  const sio::Emitter io{sio::Options{.dry_run = true}};
  const auto rooms = room_names();
  const auto values = prebuilt_values();
  std::size_t i = 0;
  for (std::size_t warm = 0; warm < 2 * kValues; ++warm, ++i)
    io.to(rooms[i % kRooms]).emit("notification", values[i & (kValues - 1)]);

  const auto before = allocations();
  for (auto _ : state) {
    io.to(rooms[i % kRooms]).emit("notification", values[i & (kValues - 1)]);
    ++i;
  }
  report_allocations(state, before);
}
BENCHMARK(emit_dry_run);

void emit_dry_run_build(benchmark::State& state) {
  const sio::Emitter io{sio::Options{.dry_run = true}};
  const auto rooms = room_names();
  std::size_t i = 0;
  for (std::size_t warm = 0; warm < 2 * kValues; ++warm, ++i)
    io.to(rooms[i % kRooms]).emit("notification", notification(kFirstOrderId + static_cast<std::int64_t>(i)));

  const auto before = allocations();
  for (auto _ : state) {
    io.to(rooms[i % kRooms]).emit("notification", notification(kFirstOrderId + static_cast<std::int64_t>(i)));
    ++i;
  }
  report_allocations(state, before);
}
BENCHMARK(emit_dry_run_build);

}  // namespace

BENCHMARK_MAIN();
