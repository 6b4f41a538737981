// sio::json for callers that need more, or less, than the value: a member name the top-level object repeats (which
// JSON.parse hides), or only whether the text parses and the shape of its top level (for input whose content nobody
// reads: a client's event that no listener takes, where building the tree of many small values costs 4x the scan).
#pragma once

#include <cstddef>
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

struct json_outline {
  value::kind top = value::kind::undefined;  // null, boolean, number, string, array or object
  std::size_t top_size = 0;                  // elements of a top-level array (members of an object)
  // The first element of a top-level array: its kind, and its text when it is a string.
  std::optional<value::kind> first;
  std::string first_string;
};

// Throws sio::data_error exactly where sio::json(text) would.
json_outline outline_json(std::string_view text);

}  // namespace sio::detail
