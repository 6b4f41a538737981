// The C API header alone, as strict C++20: the build fails if it stops being valid C++.
#include "sio/emitter.h"

#include <cstddef>
#include <type_traits>

// The functions must have C linkage and plain C types, usable from C++ without casts.
static_assert(std::is_same_v<decltype(&sio_strerror), const char* (*)(sio_status)>);
static_assert(std::is_standard_layout_v<sio_error> && std::is_trivially_copyable_v<sio_error>);
static_assert(std::is_standard_layout_v<sio_options> && std::is_standard_layout_v<sio_arg>);
static_assert(std::is_standard_layout_v<sio_replies> && std::is_trivially_copyable_v<sio_replies>);
static_assert(std::is_standard_layout_v<sio_delivery> && std::is_trivially_copyable_v<sio_delivery>);
// request_timeout_ms was appended: the members before it keep their offsets.
static_assert(offsetof(sio_options, request_timeout_ms) > offsetof(sio_options, dry_run));
static_assert(offsetof(sio_options, max_buffered_messages) > offsetof(sio_options, request_timeout_ms));
static_assert(offsetof(sio_options, mode) > offsetof(sio_options, tls));
static_assert(std::is_same_v<decltype(&sio_free), void (*)(void*)>);
static_assert(std::is_same_v<decltype(&sio_server_count), sio_status (*)(sio_emitter*, const char*, long long*,
                                                                           sio_error*)>);

int sio_header_check_cpp();
int sio_header_check_cpp() {
  sio_arg arg{SIO_ARG_JSON, "1", 1};
  sio_status (*emit)(sio_emitter*, const sio_target*, const char*, const sio_arg*, size_t, long long*, sio_error*) =
      sio_emit;
  return static_cast<int>(arg.kind) + (emit != nullptr ? 1 : 0) + SIO_C_VERSION_NUMBER;
}
