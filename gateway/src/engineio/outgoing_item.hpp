// One Engine.IO packet waiting to be written: a part of a shared Socket.IO packet (its text or one attachment,
// never copied per session) or a small control packet of the session's own ("2", "6", "1", "3probe", the open
// packet).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engineio/session.hpp"

namespace sio::gateway::engineio {

struct outgoing_item {
  static constexpr std::size_t text_part = static_cast<std::size_t>(-1);

  std::shared_ptr<const outgoing_packet> shared;  // null: `own` is the packet
  std::size_t part = text_part;                   // text_part, or the index of an attachment of `shared`
  std::string own;

  static outgoing_item control(std::string text) { return outgoing_item{nullptr, text_part, std::move(text)}; }

  // A binary message (an attachment): a WebSocket binary frame, "b<base64>" over polling.
  bool binary() const noexcept { return shared && part != text_part; }
  std::string_view bytes() const noexcept {
    if (!shared) return own;
    return part == text_part ? std::string_view{shared->text} : std::string_view{shared->attachments[part]};
  }
};

// The packets waiting to be written on one connection, first in first out. Unlike std::deque, which allocates a
// 512-byte block when it is constructed (for every idle connection, twice: the session's and its WebSocket's), it
// holds nothing until used, keeps room for a few packets once drained and gives back what a burst grew it to.
// Items move when it grows: bytes() of an item still in it must not be held across a push_back.
class outgoing_queue {
 public:
  bool empty() const noexcept { return head_ == items_.size(); }
  std::size_t size() const noexcept { return items_.size() - head_; }
  outgoing_item& front() noexcept { return items_[head_]; }
  const outgoing_item& back() const noexcept { return items_.back(); }
  auto begin() const noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const noexcept { return items_.end(); }
  // The items it has room for now (allocated), spent ones at the front included.
  std::size_t capacity() const noexcept { return items_.capacity(); }

  void push_back(outgoing_item item) { items_.push_back(std::move(item)); }
  void pop_front() {
    items_[head_++] = outgoing_item{};
    if (empty()) {
      clear();
    } else if (head_ >= compact_after && head_ * 2 >= items_.size()) {
      // Never drained (a connection always busy): drop the spent front so that it cannot grow without end.
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void pop_back() {
    items_.pop_back();
    if (empty()) clear();
  }
  void clear() noexcept {
    if (items_.capacity() > kept) {
      std::vector<outgoing_item>{}.swap(items_);
    } else {
      items_.clear();
    }
    head_ = 0;
  }

 private:
  static constexpr std::size_t kept = 4;            // room kept once drained (a notification and a ping or two)
  static constexpr std::size_t compact_after = 32;  // spent items at the front before they are dropped
  std::vector<outgoing_item> items_;
  std::size_t head_ = 0;
};

}  // namespace sio::gateway::engineio
