// sio/export.hpp: SIO_API marks what libsio-emitter.so exports.
//
// The library is built with hidden visibility (-fvisibility=hidden -fvisibility-inlines-hidden) so that only the
// public API is exported, not hiredis, fmt, msgpack or sio::detail. Classes thrown across the library boundary
// (sio::error and its subclasses) must be marked too: their type_info has to be the one the application's
// `catch (const sio::data_error&)` compares against.
#pragma once

#if defined(_WIN32)
#define SIO_API
#elif defined(__GNUC__) || defined(__clang__)
#define SIO_API __attribute__((visibility("default")))
#else
#define SIO_API
#endif
