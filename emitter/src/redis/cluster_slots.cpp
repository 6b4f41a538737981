#include "sio/internal/redis/cluster_slots.hpp"

#include <algorithm>
#include <charconv>

#include <boost/crc.hpp>
#include <fmt/format.h>

#include "sio/error.hpp"

namespace sio::detail {

namespace {

// CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection, no final xor (Redis' crc16.c).
using crc16_xmodem = boost::crc_optimal<16, 0x1021, 0, 0, false, false>;

[[noreturn]] void malformed(std::string_view what) {
  throw redis_error(errc::protocol, fmt::format("unexpected CLUSTER SLOTS reply: {}", what));
}

std::optional<int> to_int(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

cluster_node node_of(const redis_reply& entry, std::string_view seed_host) {
  using type = redis_reply::type;
  if (entry.kind != type::array || entry.elements.size() < 2 || entry.elements[0].kind != type::string ||
      entry.elements[1].kind != type::integer)
    malformed("a node is not [host, port, ...]");
  cluster_node node;
  const auto& host = entry.elements[0].text;
  node.host = host.empty() || host == "?" ? std::string(seed_host) : host;
  node.port = static_cast<int>(entry.elements[1].integer);
  if (entry.elements.size() > 2 && entry.elements[2].kind == type::string) node.id = entry.elements[2].text;
  return node;
}

}  // namespace

int key_slot(std::string_view key) noexcept {
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  crc16_xmodem crc;
  crc.process_bytes(key.data(), key.size());
  return static_cast<int>(crc.checksum() & (cluster_slot_count - 1));
}

cluster_topology cluster_topology::from_cluster_slots(const redis_reply& reply, std::string_view seed_host) {
  using type = redis_reply::type;
  if (reply.kind != type::array) malformed("not an array");
  cluster_topology topology;
  for (const auto& range : reply.elements) {
    if (range.kind != type::array || range.elements.size() < 3 || range.elements[0].kind != type::integer ||
        range.elements[1].kind != type::integer)
      malformed("a range is not [first, last, master, ...]");
    slot_range parsed{static_cast<int>(range.elements[0].integer), static_cast<int>(range.elements[1].integer),
                      node_of(range.elements[2], seed_host), {}};
    for (std::size_t i = 3; i < range.elements.size(); ++i)
      parsed.replicas.push_back(node_of(range.elements[i], seed_host));
    if (parsed.first < 0 || parsed.last >= cluster_slot_count || parsed.first > parsed.last)
      malformed(fmt::format("slots {}-{} out of range", parsed.first, parsed.last));
    topology.ranges_.push_back(std::move(parsed));
  }
  std::sort(topology.ranges_.begin(), topology.ranges_.end(),
            [](const slot_range& a, const slot_range& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < topology.ranges_.size(); ++i)
    if (topology.ranges_[i].first <= topology.ranges_[i - 1].last)
      malformed(fmt::format("slots {}-{} and {}-{} overlap", topology.ranges_[i - 1].first,
                            topology.ranges_[i - 1].last, topology.ranges_[i].first, topology.ranges_[i].last));
  return topology;
}

const cluster_node* cluster_topology::master_for(int slot) const noexcept {
  const auto after = std::upper_bound(ranges_.begin(), ranges_.end(), slot,
                                      [](int s, const slot_range& range) { return s < range.first; });
  if (after == ranges_.begin()) return nullptr;
  const auto& range = *std::prev(after);
  return slot <= range.last ? &range.master : nullptr;
}

std::vector<cluster_node> cluster_topology::masters() const {
  std::vector<cluster_node> unique;
  for (const auto& range : ranges_)
    if (std::find(unique.begin(), unique.end(), range.master) == unique.end()) unique.push_back(range.master);
  return unique;
}

std::vector<cluster_node> cluster_topology::nodes() const {
  std::vector<cluster_node> unique = masters();
  for (const auto& range : ranges_)
    for (const auto& replica : range.replicas)
      if (std::find(unique.begin(), unique.end(), replica) == unique.end()) unique.push_back(replica);
  return unique;
}

std::optional<cluster_redirect> parse_redirect(std::string_view error_text, std::string_view current_host) {
  cluster_redirect redirect;
  if (error_text.starts_with("MOVED ")) {
    redirect.type = cluster_redirect::kind::moved;
    error_text.remove_prefix(6);
  } else if (error_text.starts_with("ASK ")) {
    redirect.type = cluster_redirect::kind::ask;
    error_text.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = error_text.find(' ');
  const auto colon = error_text.rfind(':');  // IPv6 hosts hold colons too: the port follows the last one
  if (space == std::string_view::npos || colon == std::string_view::npos || colon < space) return std::nullopt;
  const auto slot = to_int(error_text.substr(0, space));
  const auto port = to_int(error_text.substr(colon + 1));
  if (!slot || !port || *slot < 0 || *slot >= cluster_slot_count) return std::nullopt;
  const auto host = error_text.substr(space + 1, colon - space - 1);
  redirect.slot = *slot;
  redirect.node.host = host.empty() ? std::string(current_host) : std::string(host);
  redirect.node.port = *port;
  return redirect;
}

}  // namespace sio::detail
