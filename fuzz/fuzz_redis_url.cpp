// Redis URLs (--redis, $REDIS_URL, sio::Options::redis_url, the gateway's --redis): parsed, described and redacted
// without ever echoing the password. sio::data_error(errc::invalid_url) is the expected refusal.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "sio/internal/redis/redis_url.hpp"
#include "sio/error.hpp"

namespace {

using sio::detail::parse_redis_url;
using sio::detail::redact_redis_url;
using sio::detail::redis_endpoint;
using sio::fuzz::require;

// A password nothing else in a URL is likely to contain; inputs that contain it anyway are not checked.
constexpr std::string_view canary = "Pw0-canary-7Zq";

std::optional<redis_endpoint> parse(std::string_view url, std::string* error) {
  try {
    return parse_redis_url(url);
  } catch (const sio::data_error& e) {
    require(e.code() == sio::errc::invalid_url, "a bad Redis URL is errc::invalid_url");
    if (error) *error = e.what();
    return std::nullopt;
  }
}

// The password segment as the parser and redact_redis_url both find it: after the first ':' that follows
// "scheme://", up to the last '@'. std::nullopt when the URL has none.
struct password_span {
  std::size_t begin;
  std::size_t end;
};
std::optional<password_span> password_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < scheme_end + 3) return std::nullopt;
  const auto colon = url.find(':', scheme_end + 3);
  if (colon == std::string_view::npos || colon > at) return std::nullopt;
  return password_span{colon + 1, at};
}

void check_parsed(const redis_endpoint& e) {
  // describe() depends on nothing secret: the same endpoint without credentials describes the same.
  redis_endpoint anonymous = e;
  anonymous.username.reset();
  anonymous.password.reset();
  require(e.describe() == anonymous.describe(), "describe() ignores the credentials");
  require(e.db >= 0, "the database is non-negative");
  if (e.kind == redis_endpoint::transport::tcp)
    require(e.port >= 1 && e.port <= 65535 && !e.host.empty(), "a tcp endpoint has a host and a valid port");
  else
    require(!e.path.empty() && e.path.front() == '/', "a unix endpoint has an absolute path");
  // What describe() prints parses back to the same place (host names and paths round-trip).
  if (e.kind == redis_endpoint::transport::tcp || e.path.find_first_of("?#") == std::string::npos) {
    const auto again = parse(e.describe(), nullptr);
    require(again.has_value(), "describe() is a valid Redis URL");
    require(again->describe() == e.describe(), "describe() parses back to the same endpoint");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  (void)redact_redis_url(url);  // total: any text, URL or not
  if (const auto endpoint = parse(url, nullptr)) check_parsed(*endpoint);

  // The same URL with the canary as its password: neither the endpoint's description, nor the error message,
  // nor the redacted URL may show it.
  const auto span = password_of(url);
  if (!span || url.find(canary) != std::string::npos) return 0;
  std::string secret_url = url;
  secret_url.replace(span->begin, span->end - span->begin, canary);
  require(redact_redis_url(secret_url).find(canary) == std::string::npos, "redact_redis_url hides the password");
  std::string error;
  if (const auto endpoint = parse(secret_url, &error)) {
    require(endpoint->describe().find(canary) == std::string::npos, "describe() hides the password");
  } else {
    require(error.find(canary) == std::string::npos, "the error message hides the password");
  }
  return 0;
}
