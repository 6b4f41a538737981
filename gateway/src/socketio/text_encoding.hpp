// Bytes from the network made into the JavaScript strings a Node server would see, so that they can be written
// as JSON (JSON.stringify never fails on a string; our writer refuses invalid UTF-8).
#pragma once

#include <string>
#include <string_view>

namespace sio::gateway::socketio {

// Node's HTTP parser reads header names, values and the request target as latin1: each byte is one character.
std::string latin1_to_utf8(std::string_view bytes);

// Invalid UTF-8 sequences replaced by U+FFFD, as Buffer#toString("utf8") and decodeURIComponent-like decoders do.
std::string to_valid_utf8(std::string_view bytes);

}  // namespace sio::gateway::socketio
