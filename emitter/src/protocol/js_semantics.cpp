#include "sio/internal/protocol/js_semantics.hpp"

#include <algorithm>
#include <cmath>


namespace sio::detail {

bool truthy(const sio::value& v) {
  switch (v.type()) {
    case sio::value::kind::undefined:
    case sio::value::kind::null: return false;
    case sio::value::kind::boolean: return v.as_bool();
    case sio::value::kind::number:
    case sio::value::kind::integer:
    case sio::value::kind::unsigned_integer: {
      const double d = v.as_number();
      return d != 0 && !std::isnan(d);
    }
    case sio::value::kind::string: return !v.as_string().empty();
    default: return true;
  }
}

sio::value property(const sio::value& v, std::string_view key) {
  const sio::value* found = v.find(key);
  return found != nullptr ? *found : sio::value::undefined();
}

namespace {

void add_room(room_set& set, std::string name) {
  if (std::find(set.names.begin(), set.names.end(), name) == set.names.end()) set.names.push_back(std::move(name));
}

// A JavaScript string iterates by code point: split UTF-8 into code points (invalid bytes one by one).
void add_code_points(room_set& set, const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t len = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    len = std::min(len, s.size() - i);
    add_room(set, s.substr(i, len));
    i += len;
  }
}

}  // namespace

std::optional<room_set> to_room_set(const sio::value& v) {
  room_set set;
  switch (v.type()) {
    case sio::value::kind::undefined:
    case sio::value::kind::null: return set;
    case sio::value::kind::string: add_code_points(set, v.as_string()); return set;
    case sio::value::kind::array:
      for (const auto& element : v.as_array()) {
        if (element.type() == sio::value::kind::string)
          add_room(set, element.as_string());
        else
          set.matchless = true;
      }
      return set;
    default: return std::nullopt;  // TypeError: object is not iterable
  }
}

}  // namespace sio::detail
