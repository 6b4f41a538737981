// What a Redis Cluster node answers a client: a CLUSTER SLOTS reply (RESP bytes, read by hiredis' reader into a
// redis_reply, then into the slot topology) and MOVED / ASK error texts. sio::redis_error(errc::protocol) is the
// expected refusal of a reply of another shape.
#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fuzz_check.hpp"
#include "sio/internal/redis/cluster_slots.hpp"
#include "sio/error.hpp"

namespace {

using sio::fuzz::require;

struct reader_deleter {
  void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
};
struct reply_deleter {
  void operator()(void* r) const noexcept { freeReplyObject(r); }
};

void check_topology(const sio::detail::redis_reply& reply) {
  sio::detail::cluster_topology topology;
  try {
    topology = sio::detail::cluster_topology::from_cluster_slots(reply, "seed");
  } catch (const sio::redis_error& e) {
    require(e.code() == sio::errc::protocol, "a malformed CLUSTER SLOTS reply is errc::protocol");
    return;
  }
  for (const auto& range : topology.ranges()) {
    require(range.first >= 0 && range.first <= range.last && range.last < sio::detail::cluster_slot_count,
            "every accepted range lies within the slots");
    const auto* first = topology.master_for(range.first);
    const auto* last = topology.master_for(range.last);
    require(first != nullptr && last != nullptr && *first == range.master && *last == range.master,
            "the slots of an accepted range have its master");
    require(!range.master.host.empty(), "an empty host becomes the seed's");
  }
  require(topology.master_for(-1) == nullptr && topology.master_for(sio::detail::cluster_slot_count) == nullptr,
          "no master outside the slots");
  require(topology.masters().size() <= topology.ranges().size(), "masters are listed once");
}

void check_redirect(std::string_view text) {
  const auto redirect = sio::detail::parse_redirect(text, "current");
  if (!redirect) return;
  require(text.starts_with("MOVED ") || text.starts_with("ASK "), "only MOVED and ASK are redirections");
  require(redirect->slot >= 0 && redirect->slot < sio::detail::cluster_slot_count, "a redirection's slot is valid");
  require(!redirect->node.host.empty(), "a redirection names a host (the current one when the text has none)");
}

// hiredis 0.14 allocates an array's declared element count up front, with no limit ("*444444444" is 3.5 GB before
// a single element arrives): that is hiredis trusting its server, not the code under test, so such inputs are
// skipped. Real CLUSTER SLOTS replies have one element per slot range at most.
bool declares_a_huge_array(std::string_view bytes) {
  for (std::size_t at = bytes.find('*'); at != std::string_view::npos; at = bytes.find('*', at + 1)) {
    std::size_t digits = 0;
    while (at + 1 + digits < bytes.size() && bytes[at + 1 + digits] >= '0' && bytes[at + 1 + digits] <= '9') ++digits;
    if (digits > 5 || (digits == 5 && bytes.substr(at + 1, 5) > "16384")) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_redirect(bytes);

  if (declares_a_huge_array(bytes)) return 0;
  const std::unique_ptr<redisReader, reader_deleter> reader(redisReaderCreate());
  if (!reader || redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) return 0;
  void* raw = nullptr;
  if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK || raw == nullptr) return 0;
  const std::unique_ptr<void, reply_deleter> owned(raw);
  sio::detail::redis_reply reply;
  try {
    reply = sio::detail::to_redis_reply(*static_cast<const redisReply*>(raw));
  } catch (const sio::redis_error& e) {
    require(e.code() == sio::errc::protocol, "a reply type sio does not know is errc::protocol");
    return 0;
  }
  check_topology(reply);
  return 0;
}
