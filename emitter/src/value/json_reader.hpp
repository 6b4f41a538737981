// sio::json for callers that must see what JSON.parse hides: a member name the top-level object repeats.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sio/value.hpp"

namespace sio::detail {

struct json_document {
  sio::value root;  // what sio::json(text) returns: a repeated name keeps its first place and its last value
  std::optional<std::string> repeated_name;  // the first top-level member name that an earlier member had
};

// sio::json(text), same errors, noting a repeated name of the top-level object (nested objects are not looked at).
// A JWT must be refused for one (RFC 7519 §4): JSON.parse, and so every Node JWT library, reads the last value,
// and a reader that took the first would see another user.
json_document json_noting_repeated_name(std::string_view text);

}  // namespace sio::detail
