// What every fuzz target shares: how a broken invariant is reported, and the nesting depth of a value.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

#include "sio/value.hpp"

namespace sio::fuzz {

// Aborts, so that libFuzzer records the input as a crash: an invariant is as much a bug as a sanitizer report.
inline void require(bool ok, const char* invariant) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", invariant);
  std::abort();
}

// Nesting as JSON text prints it (a Buffer is {"type":"Buffer","data":[...]}: two levels), so that a check
// which re-parses printed JSON can skip values the parser's depth limit refuses by design.
inline std::size_t json_depth(const sio::value& v) {
  using kind = sio::value::kind;
  std::size_t deepest = 0;
  switch (v.type()) {
    case kind::binary: return 2;
    case kind::array:
      for (const auto& e : v.as_array()) deepest = std::max(deepest, json_depth(e));
      return deepest + 1;
    case kind::object:
      for (const auto& m : v.as_object()) deepest = std::max(deepest, json_depth(m.second));
      return deepest + 1;
    default: return 0;
  }
}

}  // namespace sio::fuzz
