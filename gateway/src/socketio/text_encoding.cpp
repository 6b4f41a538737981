#include "socketio/text_encoding.hpp"

#include <cstdint>

#include "sio/internal/value/utf8.hpp"

namespace sio::gateway::socketio {

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    const auto byte = static_cast<std::uint8_t>(c);
    if (byte < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xc0 | (byte >> 6));
      out += static_cast<char>(0x80 | (byte & 0x3f));
    }
  }
  return out;
}

std::string to_valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (const auto invalid = sio::detail::find_invalid_utf8(bytes)) {
    out.append(bytes.substr(0, *invalid));
    out += "\xef\xbf\xbd";  // U+FFFD
    bytes.remove_prefix(*invalid + 1);
  }
  out.append(bytes);
  return out;
}

}  // namespace sio::gateway::socketio
