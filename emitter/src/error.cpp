#include "sio/error.hpp"

namespace sio {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid argument";
    case errc::invalid_json: return "invalid JSON";
    case errc::invalid_utf8: return "invalid UTF-8";
    case errc::reserved_event: return "reserved event name";
    case errc::invalid_url: return "invalid Redis URL";
    case errc::connection: return "Redis unreachable";
    case errc::auth: return "Redis refused authentication or permission";
    case errc::timeout: return "Redis timeout";
    case errc::reply: return "Redis error reply";
    case errc::protocol: return "unexpected Redis reply";
    case errc::tls: return "TLS failed";
  }
  return "unknown error";
}

}  // namespace sio
