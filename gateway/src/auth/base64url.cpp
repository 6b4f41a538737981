#include "auth/base64url.hpp"

#include <cctype>

#include <boost/beast/core/detail/base64.hpp>

namespace sio::gateway::auth {

namespace b64 = boost::beast::detail::base64;

std::string encode_base64url(std::string_view bytes) {
  std::string out(b64::encoded_size(bytes.size()), '\0');
  out.resize(b64::encode(out.data(), bytes.data(), bytes.size()));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::optional<std::string> decode_base64url(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (!(std::isalnum(static_cast<unsigned char>(c)) != 0)) return std::nullopt;
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  std::string bytes((standard.size() + 3) / 4 * 3, '\0');  // unpadded: round up
  const auto [written, read] = b64::decode(bytes.data(), standard.data(), standard.size());
  if (read != standard.size()) return std::nullopt;
  bytes.resize(written);
  return bytes;
}

}  // namespace sio::gateway::auth
