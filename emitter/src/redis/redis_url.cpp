#include "sio/internal/redis/redis_url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "sio/error.hpp"

namespace sio::detail {

namespace {

constexpr std::string_view expected_forms =
    "expected redis://[user[:password]@]host[:port][/db] (rediss:// for TLS), unix:///path/to.sock, "
    "redis+cluster://host:port[,host:port...] or redis+sentinel://host:port[,host:port...]/master-name[/db]";

[[noreturn]] void fail(std::string_view url, std::string_view what) {
  throw data_error(errc::invalid_url, fmt::format("invalid Redis URL \"{}\": {}", redact_redis_url(url), what));
}

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_digit(text[i + 1]);
    const int low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

// The master name as it may appear in a URL's path: what the parser would misread ('@', '/', '%', controls, ...)
// percent-encoded, so that describe() parses back to the same endpoint.
std::string percent_encode(std::string_view text) {
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~')
      encoded += c;
    else
      encoded += fmt::format("%{:02X}", byte);
  }
  return encoded;
}


// Only plain decimal digits: from_chars alone would accept "-0" and stop silently at "12abc".
std::optional<int> parse_decimal(std::string_view text, int max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  long long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value > max) return std::nullopt;
  return static_cast<int>(value);
}

bool is_host_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool is_ipv6_literal(std::string_view text) {
  if (text.find(':') == std::string_view::npos) return false;
  for (char c : text)
    if (hex_digit(c) < 0 && c != ':' && c != '.') return false;
  return true;
}

int parse_db(std::string_view url, std::string_view text) {
  auto db = parse_decimal(text, std::numeric_limits<int>::max());
  if (!db) fail(url, fmt::format("the database must be a non-negative integer, got \"{}\"", text));
  return *db;
}

void reject_query_and_fragment(std::string_view url, std::string_view rest) {
  if (rest.find('?') != std::string_view::npos)
    fail(url, "redis:// URLs take no query parameters (put the database in the path: redis://host:6379/3)");
  if (rest.find('#') != std::string_view::npos) fail(url, "Redis URLs take no #fragment");
}

void parse_userinfo(std::string_view url, std::string_view userinfo, redis_endpoint& endpoint) {
  const auto colon = userinfo.find(':');
  const auto raw_user = userinfo.substr(0, colon);
  // A '/', '?' or '#' before the '@' means the '@' belongs to the path or query, not to credentials.
  if (raw_user.find_first_of("/?#") != std::string_view::npos)
    fail(url, "the user name contains '/', '?' or '#' (percent-encode them, or the '@' is misplaced)");
  auto user = percent_decode(raw_user);
  if (!user) fail(url, "the user name has a bad percent-escape (expected % and two hex digits)");
  if (!user->empty()) endpoint.username = std::move(*user);
  if (colon == std::string_view::npos) return;
  auto password = percent_decode(userinfo.substr(colon + 1));
  if (!password) fail(url, "the password has a bad percent-escape (expected % and two hex digits)");
  if (!password->empty()) endpoint.password = std::move(*password);
}

// "host", "host:port", "[v6]" or "[v6]:port".
redis_address parse_host_port(std::string_view url, std::string_view hostport, int default_port) {
  if (hostport.empty()) fail(url, "the host is empty");
  redis_address address{{}, default_port};
  std::optional<std::string_view> port_text;
  if (hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) fail(url, "the IPv6 address has no closing ']'");
    const auto ip = hostport.substr(1, close - 1);
    if (!is_ipv6_literal(ip)) fail(url, fmt::format("\"{}\" is not an IPv6 address", ip));
    address.host = std::string(ip);
    const auto after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail(url, fmt::format("unexpected \"{}\" after the IPv6 address", after));
      port_text = after.substr(1);
    }
  } else {
    const auto colon = hostport.find(':');
    if (colon != std::string_view::npos && hostport.find(':', colon + 1) != std::string_view::npos)
      fail(url, "an IPv6 address must be in brackets, e.g. redis://[::1]:6379");
    const auto host = hostport.substr(0, colon);
    if (host.empty()) fail(url, "the host is empty");
    for (char c : host)
      if (!is_host_name_char(c)) fail(url, fmt::format("the host \"{}\" contains an invalid character", host));
    address.host = std::string(host);
    if (colon != std::string_view::npos) port_text = hostport.substr(colon + 1);
  }

  if (port_text) {
    if (port_text->empty()) fail(url, "the port is empty");
    auto port = parse_decimal(*port_text, 65535);
    if (!port || *port == 0)
      fail(url, fmt::format("the port must be a number from 1 to 65535, got \"{}\"", *port_text));
    address.port = *port;
  }
  return address;
}

// Splits "host[:port]..." from what follows it ("/db", "/name/db").
std::pair<std::string_view, std::string_view> split_authority(std::string_view url, std::string_view rest) {
  const auto host_end = rest.find_first_of("/?#");
  const auto tail = host_end == std::string_view::npos ? std::string_view{} : rest.substr(host_end);
  reject_query_and_fragment(url, tail);
  return {rest.substr(0, host_end), tail};
}

void parse_tcp(std::string_view url, std::string_view rest, redis_endpoint& endpoint) {
  const auto [hostport, tail] = split_authority(url, rest);
  auto address = parse_host_port(url, hostport, 6379);
  endpoint.host = std::move(address.host);
  endpoint.port = address.port;
  if (tail.size() > 1) endpoint.db = parse_db(url, tail.substr(1));  // tail is "/db"; "" and "/" mean db 0
}

// Comma-separated nodes: a cluster's seeds or the sentinels.
void parse_node_list(std::string_view url, std::string_view hosts, int default_port, redis_endpoint& endpoint) {
  if (hosts.empty()) fail(url, "the host is empty");
  while (true) {
    const auto comma = hosts.find(',');
    const auto one = hosts.substr(0, comma);
    if (one.empty()) fail(url, "an empty host in the list (two commas, or one at an end)");
    auto address = parse_host_port(url, one, default_port);
    if (std::find(endpoint.nodes.begin(), endpoint.nodes.end(), address) != endpoint.nodes.end())
      fail(url, fmt::format("the node {}:{} is listed twice", address.host, address.port));
    endpoint.nodes.push_back(std::move(address));
    if (comma == std::string_view::npos) break;
    hosts = hosts.substr(comma + 1);
  }
  endpoint.host = endpoint.nodes.front().host;
  endpoint.port = endpoint.nodes.front().port;
}

void parse_cluster(std::string_view url, std::string_view rest, redis_endpoint& endpoint) {
  endpoint.topology = redis_endpoint::deployment::cluster;
  const auto [hosts, tail] = split_authority(url, rest);
  parse_node_list(url, hosts, 6379, endpoint);
  if (tail.size() > 1 && parse_db(url, tail.substr(1)) != 0)
    fail(url, "a Redis Cluster has only database 0");
}

void parse_sentinel(std::string_view url, std::string_view rest, redis_endpoint& endpoint) {
  endpoint.topology = redis_endpoint::deployment::sentinel;
  const auto [hosts, tail] = split_authority(url, rest);
  parse_node_list(url, hosts, 26379, endpoint);
  // tail is "/name" or "/name/db".
  const auto name_and_db = tail.empty() ? tail : tail.substr(1);
  const auto slash = name_and_db.find('/');
  auto name = percent_decode(name_and_db.substr(0, slash));
  if (!name || name->empty())
    fail(url, "the master name is missing: redis+sentinel://sentinel-host:26379/master-name[/db]");
  endpoint.master_name = std::move(*name);
  if (slash != std::string_view::npos && slash + 1 < name_and_db.size())
    endpoint.db = parse_db(url, name_and_db.substr(slash + 1));
}

void parse_unix(std::string_view url, std::string_view rest, redis_endpoint& endpoint) {
  endpoint.kind = redis_endpoint::transport::unix_socket;
  const auto question = rest.find('?');
  const auto path = rest.substr(0, question);
  if (path.find('#') != std::string_view::npos) fail(url, "Redis URLs take no #fragment");
  if (path.empty() || path == "/") fail(url, "the socket path is empty");
  if (path.front() != '/') fail(url, "unix:// URLs take no host; write the absolute path: unix:///path/to.sock");
  endpoint.path = std::string(path);
  if (question == std::string_view::npos) return;

  auto query = rest.substr(question + 1);
  if (query.find('#') != std::string_view::npos) fail(url, "Redis URLs take no #fragment");
  bool db_seen = false;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (param.empty()) continue;
    const auto equals = param.find('=');
    const auto key = param.substr(0, equals);
    if (key != "db") fail(url, fmt::format("unknown query parameter \"{}\" (unix:// URLs accept only db)", key));
    if (db_seen) fail(url, "the db parameter is given twice");
    db_seen = true;
    endpoint.db = parse_db(url, equals == std::string_view::npos ? std::string_view{} : param.substr(equals + 1));
  }
}

}  // namespace

std::string redis_address::text() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::string redis_endpoint::describe() const {
  if (kind == transport::unix_socket) return db == 0 ? "unix://" + path : fmt::format("unix://{}?db={}", path, db);
  const std::string_view scheme = tls.enabled ? "rediss" : "redis";
  if (topology == deployment::standalone)
    return fmt::format("{}://{}/{}", scheme, redis_address{host, port}.text(), db);
  std::string list;
  for (const auto& node : nodes) {
    if (!list.empty()) list += ',';
    list += node.text();
  }
  if (topology == deployment::cluster) return fmt::format("{}+cluster://{}", scheme, list);
  return fmt::format("{}+sentinel://{}/{}/{}", scheme, list, percent_encode(master_name), db);
}

redis_endpoint redis_endpoint::at(const redis_address& address) const {
  redis_endpoint one = *this;
  one.topology = deployment::standalone;
  one.nodes.clear();
  one.master_name.clear();
  one.host = address.host;
  one.port = address.port;
  return one;
}

std::string redact_redis_url(std::string_view url) {
  // Same rule as the parser: credentials end at the last '@' and the password starts after the first ':'.
  // It also applies to garbage without "://", so a mistyped URL never echoes a secret.
  const auto scheme_end = url.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const auto colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return fmt::format("{}***{}", url.substr(0, colon + 1), url.substr(at));
}

void apply_tls_options(const TlsOptions& tls, redis_endpoint& endpoint) {
  const bool enabled = endpoint.tls.enabled || tls.enabled;  // rediss:// or asked for
  if (!enabled) return;
  if (endpoint.kind != redis_endpoint::transport::tcp)
    throw data_error(errc::invalid_argument, "TLS needs a TCP Redis URL (rediss://host:port), not a unix socket");
  if (tls.cert_file.empty() != tls.key_file.empty())
    throw data_error(errc::invalid_argument,
                     "a TLS client certificate needs its private key: set both cert_file and key_file");
  endpoint.tls = tls;
  endpoint.tls.enabled = true;
}

redis_endpoint parse_redis_url(std::string_view url) {
  if (url.empty()) fail(url, fmt::format("the URL is empty; {}", expected_forms));
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) fail(url, fmt::format("missing \"scheme://\"; {}", expected_forms));
  const auto scheme = to_lower(url.substr(0, scheme_end));
  auto rest = url.substr(scheme_end + 3);

  const bool tls = scheme == "rediss" || scheme == "rediss+cluster" || scheme == "rediss+sentinel";
  const bool cluster = scheme == "redis+cluster" || scheme == "rediss+cluster";
  const bool sentinel = scheme == "redis+sentinel" || scheme == "rediss+sentinel";
  if (scheme != "redis" && scheme != "unix" && !tls && !cluster && !sentinel)
    fail(url, fmt::format("unsupported scheme \"{}\"; {}", url.substr(0, scheme_end), expected_forms));

  redis_endpoint endpoint;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    parse_userinfo(url, rest.substr(0, at), endpoint);
    rest = rest.substr(at + 1);
  }
  endpoint.tls.enabled = tls;
  if (scheme == "unix")
    parse_unix(url, rest, endpoint);
  else if (cluster)
    parse_cluster(url, rest, endpoint);
  else if (sentinel)
    parse_sentinel(url, rest, endpoint);
  else
    parse_tcp(url, rest, endpoint);
  return endpoint;
}

}  // namespace sio::detail
