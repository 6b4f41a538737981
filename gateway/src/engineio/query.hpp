// The query string of an Engine.IO request, decoded as URLSearchParams decodes it ("+" is a space, %XX a byte).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::gateway::engineio {

using query_params = std::vector<std::pair<std::string, std::string>>;

// The parameters of `target` (the part after the first "?", up to any "#"), in order, decoded.
query_params parse_query(std::string_view target);

// The value of `name`; the last one when it is repeated (engine.io builds an object from the entries, so later
// ones win). nullptr when absent.
const std::string* query_value(const query_params& params, std::string_view name);

// URLSearchParams' decoding of one component: "+" -> space, "%41" -> "A"; a "%" not followed by two hex digits
// stays as it is.
std::string decode_query_component(std::string_view text);

}  // namespace sio::gateway::engineio
