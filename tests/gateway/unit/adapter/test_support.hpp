// Helpers for the adapter tests: hex bytes and the protocol vectors captured from the real Node emitter.
#pragma once

#include <string>
#include <string_view>

#include "sio/value.hpp"
#include "../../../unit/protocol_vectors.hpp"

namespace adapter_test {

using sio_test::from_hex;
using sio_test::protocol_vector;
using sio_test::vector_entry;

}  // namespace adapter_test
