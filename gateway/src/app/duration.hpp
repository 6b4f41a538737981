// The gateway's DURATION syntax is sio's programs' one (programs/common/duration.hpp): notify reads --timeout the same
// way. Zero only where a flag allows it (a feature turned off).
#pragma once

#include "common/duration.hpp"

namespace sio::gateway::app {

using sio::programs::parse_duration;

}  // namespace sio::gateway::app
