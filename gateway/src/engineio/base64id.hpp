// Engine.IO session ids and Socket.IO socket ids (PROTOCOL.md §7.2): 15 bytes as
// 20 URL-safe base64 characters, like the base64id package Node servers use (12 random bytes + a 24-bit sequence).
#pragma once

#include <string>

namespace sio::gateway {

// A fresh id; unique within the process (the sequence) and unguessable (12 bytes from a CSPRNG).
// Thread-safe.
std::string new_base64id();

}  // namespace sio::gateway
