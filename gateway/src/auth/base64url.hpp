// base64url without padding (RFC 7515 §2), the encoding of a JWT's three segments.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sio::gateway::auth {

// Bytes -> base64url, unpadded.
std::string encode_base64url(std::string_view bytes);
// base64url, unpadded -> bytes; nothing when `text` is not base64url.
std::optional<std::string> decode_base64url(std::string_view text);

}  // namespace sio::gateway::auth
