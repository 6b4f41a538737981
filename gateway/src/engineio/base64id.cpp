#include "engineio/base64id.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <random>
#include <stdexcept>

#include <boost/beast/core/detail/base64.hpp>
#include <sys/random.h>

namespace sio::gateway {

namespace {

std::atomic<std::uint32_t> sequence{0};

void fill_random(unsigned char* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = getrandom(out, n, 0);
    if (got < 0) throw std::runtime_error("getrandom failed");
    out += got;
    n -= static_cast<std::size_t>(got);
  }
}

}  // namespace

std::string new_base64id() {
  std::array<unsigned char, 15> bytes{};
  fill_random(bytes.data(), 12);
  const std::uint32_t n = sequence.fetch_add(1, std::memory_order_relaxed);
  // Big-endian sequence last, as base64id does (it writes 32 bits over the last random byte): ids of one process end "AAAA", "AAAB", ...
  bytes[12] = static_cast<unsigned char>(n >> 16);
  bytes[13] = static_cast<unsigned char>(n >> 8);
  bytes[14] = static_cast<unsigned char>(n);
  std::string id(boost::beast::detail::base64::encoded_size(bytes.size()), '\0');
  id.resize(boost::beast::detail::base64::encode(id.data(), bytes.data(), bytes.size()));
  for (char& c : id) {
    if (c == '/') c = '_';
    if (c == '+') c = '-';
  }
  return id;
}

}  // namespace sio::gateway
