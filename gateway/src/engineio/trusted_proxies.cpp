#include "engineio/trusted_proxies.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <stdexcept>

#include <boost/beast/http/field.hpp>

namespace sio::gateway::engineio {

namespace {

namespace ip = boost::asio::ip;

std::array<std::uint8_t, 16> mapped_bytes(const ip::address& a) {
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  const auto a = ip::make_address(std::string{text}, ec);
  if (ec) return std::nullopt;
  return a;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One hop of X-Forwarded-For ("203.0.113.7", "2001:db8::1") or a Forwarded for= value ("203.0.113.7:4711",
// "\"[2001:db8::1]:4711\"", "unknown", "_hidden"): its address, or nothing when it names none.
std::optional<ip::address> hop_address(std::string_view hop) {
  hop = trim(hop);
  if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"') hop = hop.substr(1, hop.size() - 2);
  if (!hop.empty() && hop.front() == '[') {
    const auto close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(hop.substr(1, close - 1));
  }
  if (auto a = parse_address(hop)) return a;
  // IPv4 with a port.
  const auto colon = hop.rfind(':');
  if (colon != std::string_view::npos && hop.find(':') == colon) return parse_address(hop.substr(0, colon));
  return std::nullopt;
}

// The hops of every Forwarded header (RFC 7239: its for= parameters, elements separated by ','), else of every
// X-Forwarded-For header, left (the original client) to right (the last proxy before us).
std::vector<std::string_view> forwarded_hops(const http_request& req) {
  std::vector<std::string_view> hops;
  const auto [forwarded, forwarded_end] = req.equal_range(boost::beast::http::field::forwarded);
  for (auto field = forwarded; field != forwarded_end; ++field) {
    const std::string_view value{field->value().data(), field->value().size()};
    std::size_t start = 0;
    while (start <= value.size()) {
      const auto end = std::min(value.find(',', start), value.size());
      const std::string_view element = value.substr(start, end - start);
      std::size_t p = 0;
      while (p <= element.size()) {
        const auto semi = std::min(element.find(';', p), element.size());
        const std::string_view pair = trim(element.substr(p, semi - p));
        if (pair.size() > 4) {
          std::string name{pair.substr(0, 4)};
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
          if (name == "for=") hops.push_back(pair.substr(4));
        }
        p = semi + 1;
      }
      start = end + 1;
    }
  }
  if (!hops.empty()) return hops;
  const auto [xff, xff_end] = req.equal_range("X-Forwarded-For");
  for (auto field = xff; field != xff_end; ++field) {
    const std::string_view value{field->value().data(), field->value().size()};
    std::size_t start = 0;
    while (start <= value.size()) {
      const auto end = std::min(value.find(',', start), value.size());
      hops.push_back(value.substr(start, end - start));
      start = end + 1;
    }
  }
  return hops;
}

}  // namespace

trusted_proxies::trusted_proxies(const std::vector<std::string>& entries) {
  for (const auto& entry : entries) {
    const auto slash = entry.find('/');
    const auto address = parse_address(std::string_view{entry}.substr(0, slash));
    if (!address) throw std::invalid_argument("--trust-proxy " + entry + ": not an IP address or CIDR range");
    network n;
    n.bytes = mapped_bytes(*address);
    const unsigned width = address->is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string::npos) {
      const std::string_view digits = std::string_view{entry}.substr(slash + 1);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || prefix > width)
        throw std::invalid_argument("--trust-proxy " + entry + ": the prefix length must be 0-" +
                                    std::to_string(width));
    }
    n.prefix = prefix + (128 - width);
    networks_.push_back(n);
  }
}

bool trusted_proxies::contains(const ip::address& address) const {
  const auto bytes = mapped_bytes(address);
  return std::any_of(networks_.begin(), networks_.end(), [&](const network& n) {
    for (unsigned bit = 0; bit < n.prefix; bit += 8) {
      const unsigned bits = std::min(8u, n.prefix - bit);
      const auto mask = static_cast<std::uint8_t>(0xff00u >> bits);
      if ((bytes[bit / 8] & mask) != (n.bytes[bit / 8] & mask)) return false;
    }
    return true;
  });
}

bool trusted_proxies::contains(std::string_view address) const {
  if (networks_.empty()) return false;
  const auto a = parse_address(address);
  return a && contains(*a);
}

std::string trusted_proxies::client_address(const std::string& peer, const http_request& req) const {
  if (!contains(peer)) return peer;
  const auto hops = forwarded_hops(req);
  std::string client = peer;
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto a = hop_address(*hop);
    if (!a) break;  // "unknown" or garbage: the chain cannot be followed further back
    client = a->is_v6() && a->to_v6().is_v4_mapped() ? ip::make_address_v4(ip::v4_mapped, a->to_v6()).to_string()
                                                      : a->to_string();
    if (!contains(*a)) break;
  }
  return client;
}

}  // namespace sio::gateway::engineio
