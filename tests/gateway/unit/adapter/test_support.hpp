// Helpers for the adapter tests: hex bytes and the protocol vectors captured from the real Node emitter.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "sio/value.hpp"
#include "../../../unit/test_value_support.hpp"  // from_hex

namespace adapter_test {

using sio_test::from_hex;

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

}  // namespace adapter_test
