#include "sio/version.hpp"

namespace sio {

const char* version() noexcept { return SIO_VERSION_STRING; }

}  // namespace sio
