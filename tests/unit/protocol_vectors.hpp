// The protocol vectors captured from the real Node emitter (tests/data/protocol-vectors.json, PROTOCOL.md §9), by
// call: for the protocol layer's tests and the gateway adapter's.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sio/value.hpp"
#include "test_value_support.hpp"  // from_hex

namespace sio_test {

struct vector_entry {
  std::string channel;
  std::string payload;
};

// The vector whose `call` starts with `call_prefix` (tests/data/protocol-vectors.json, PROTOCOL.md §9).
inline vector_entry protocol_vector(std::string_view call_prefix) {
  std::ifstream in(SIO_TEST_DATA_DIR "/protocol-vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  const sio::value all = sio::json(text.str());
  for (const auto& v : all.as_array()) {
    std::string call, channel, hex;
    for (const auto& [k, m] : v.as_object()) {
      if (k == "call") call = m.as_string();
      if (k == "channel") channel = m.as_string();
      if (k == "payload_hex") hex = m.as_string();
    }
    if (call.starts_with(call_prefix)) return {channel, from_hex(hex)};
  }
  throw std::runtime_error("no protocol vector for " + std::string(call_prefix));
}

}  // namespace sio_test
