// JSON text checked as sio::json would parse it (JSON.parse semantics, UTF-8, nesting at most 512), without
// building the value: for input whose content nobody reads (a client's event that no listener takes), only whether
// it parses and the shape of its top level matter, and building the tree costs ten times the scan.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sio/value.hpp"

namespace sio::detail {

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
