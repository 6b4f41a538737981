// --trust-proxy: the load balancers and reverse proxies whose forwarding headers are believed. A request that
// arrives from one of them is counted against the handshake limits, and logged, under the client address it
// forwards: the right-most address of its Forwarded (for=) or X-Forwarded-For chain that is not itself a trusted
// proxy. A request from any other address keeps its own address, whatever headers it sends (they are spoofable).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "engineio/server.hpp"

namespace sio::gateway::engineio {

class trusted_proxies {
 public:
  trusted_proxies() = default;
  // Addresses or CIDR ranges: "10.0.0.0/8", "192.168.1.10", "::1", "fd00::/8". Throws std::invalid_argument
  // naming the entry that is neither.
  explicit trusted_proxies(const std::vector<std::string>& entries);

  bool empty() const noexcept { return networks_.empty(); }
  bool contains(const boost::asio::ip::address& address) const;
  bool contains(std::string_view address) const;

  // The client address of `req`, received from `peer`: `peer` unless it is trusted (see above).
  std::string client_address(const std::string& peer, const http_request& req) const;

 private:
  struct network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as its IPv4-mapped IPv6 form
    unsigned prefix = 128;                 // in IPv6 bits (an IPv4 /8 is /104)
  };
  std::vector<network> networks_;
};

}  // namespace sio::gateway::engineio
