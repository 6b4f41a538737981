#include "sio/internal/protocol/base64.hpp"

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>

#include <cstdint>

namespace sio::detail {

// Boost's header-only iterators, not OpenSSL's EVP_EncodeBlock: the library no longer loads libcrypto unless a TLS
// connection needs it (tls_stream.cpp). Standard alphabet, '=' padding, no line breaks, as Node's toString("base64").
std::string base64_encode(std::string_view bytes) {
  namespace it = boost::archive::iterators;
  using encoder = it::base64_from_binary<it::transform_width<std::string_view::const_iterator, 6, 8>>;
  std::string out(encoder(bytes.begin()), encoder(bytes.end()));
  out.append((3 - bytes.size() % 3) % 3, '=');
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t group = 0;
  int count = 0;
  for (const char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    if (v < 0) continue;
    group = (group << 6) | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>((group >> 16) & 0xff);
      out += static_cast<char>((group >> 8) & 0xff);
      out += static_cast<char>(group & 0xff);
      group = 0;
      count = 0;
    }
  }
  if (count == 2) {
    out += static_cast<char>((group >> 4) & 0xff);
  } else if (count == 3) {
    out += static_cast<char>((group >> 10) & 0xff);
    out += static_cast<char>((group >> 2) & 0xff);
  }
  return out;
}

}  // namespace sio::detail
