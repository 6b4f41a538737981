#include "sio/internal/protocol/operation.hpp"

#include <algorithm>

namespace sio::detail {

namespace {
void add_unique(std::vector<std::string>& set, std::string_view name) {
  if (std::find(set.begin(), set.end(), name) == set.end()) set.emplace_back(name);
}
}  // namespace

void target::add_room(std::string_view room) { add_unique(rooms, room); }

void target::add_except(std::string_view room) { add_unique(except, room); }

void target::set_flag(broadcast_flag flag, bool enabled) {
  for (auto& setting : flags) {
    if (setting.flag == flag) {
      setting.enabled = enabled;  // Object.assign keeps an existing key where it is
      return;
    }
  }
  flags.push_back({flag, enabled});
}

}  // namespace sio::detail
