// One Engine.IO packet waiting to be written: a part of a shared Socket.IO packet (its text or one attachment,
// never copied per session) or a small control packet of the session's own ("2", "6", "1", "3probe", the open
// packet).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

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

}  // namespace sio::gateway::engineio
