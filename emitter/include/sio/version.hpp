// sio/version.hpp: the version of the sio headers; sio::version() gives the library's.
#pragma once

// SIO_VERSION_MAJOR, _MINOR, _PATCH, _STRING and _NUMBER, generated from the CMake project version.
#include "sio/version.h"

#include "sio/export.hpp"

namespace sio {
// The version of the library actually linked, "MAJOR.MINOR.PATCH".
SIO_API const char* version() noexcept;
}  // namespace sio
