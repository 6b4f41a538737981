// sio/version.hpp: the version of the sio headers; sio::version() gives the library's.
#pragma once

#define SIO_VERSION_MAJOR 0
#define SIO_VERSION_MINOR 1
#define SIO_VERSION_PATCH 0
#define SIO_VERSION_STRING "0.1.0"

namespace sio {
// The version of the library actually linked, "MAJOR.MINOR.PATCH".
const char* version() noexcept;
}  // namespace sio
