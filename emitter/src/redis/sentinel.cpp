#include "sio/internal/redis/sentinel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "sio/error.hpp"

namespace sio::detail {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds max_per_sentinel{1000};
constexpr milliseconds replica_retry_delay{100};

// The sentinel itself: no AUTH (the URL's credentials are the master's), db 0; TLS as the URL says.
redis_endpoint sentinel_endpoint(const redis_endpoint& sentinels, const redis_address& address) {
  auto one = sentinels.at(address);
  one.username.reset();
  one.password.reset();
  one.db = 0;
  return one;
}

// ["host", "port"], or nothing for any other shape.
std::optional<redis_address> address_of(const redis_reply& reply) {
  if (reply.kind != redis_reply::type::array || reply.elements.size() != 2) return std::nullopt;
  const auto& host = reply.elements[0];
  const auto& port_text = reply.elements[1].text;
  if (host.kind != redis_reply::type::string || host.text.empty() || reply.elements[1].kind != redis_reply::type::string)
    return std::nullopt;
  int port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 || port > 65535)
    return std::nullopt;
  return redis_address{host.text, port};
}

// Why one sentinel gave no address, short: the endpoint is named by the caller.
std::string reason_of(const redis_error& e, const redis_endpoint& sentinel) {
  const std::string_view text = e.what();
  const auto prefix = fmt::format("cannot connect to Redis at {}: ", sentinel.describe());
  if (text.starts_with(prefix)) return std::string(text.substr(prefix.size()));
  return std::string(text);
}

// What the server says it is: "master", "replica"/"slave", or empty when it will not say. HELLO (Redis 6+) runs
// for every ACL user, so a publisher limited to +publish can be checked too; ROLE (an @admin command) is for
// older servers.
std::string role_of(redis_connection& connection) {
  const redis_command hello{"HELLO", "2"};  // stays on RESP2: only the answer is wanted
  const auto greeting = connection.pipeline(std::span(&hello, 1)).front();
  if (greeting.kind == redis_reply::type::array)
    for (std::size_t i = 0; i + 1 < greeting.elements.size(); i += 2)
      if (greeting.elements[i].text == "role") return greeting.elements[i + 1].text;
  const redis_command role{"ROLE"};
  const auto reply = connection.pipeline(std::span(&role, 1)).front();
  if (reply.kind == redis_reply::type::array && !reply.elements.empty() &&
      reply.elements[0].kind == redis_reply::type::string)
    return reply.elements[0].text;
  return {};
}

}  // namespace

redis_address ask_sentinels(const redis_endpoint& sentinels, milliseconds connect_timeout) {
  const auto each = std::clamp(connect_timeout, milliseconds(1), max_per_sentinel);
  const redis_command ask{"SENTINEL", "GET-MASTER-ADDR-BY-NAME", sentinels.master_name};
  std::string reasons;
  for (const auto& node : sentinels.nodes) {
    const auto endpoint = sentinel_endpoint(sentinels, node);
    std::string reason;
    bool connected = false;
    try {
      redis_connection sentinel(endpoint, each, each);
      connected = true;
      const auto reply = sentinel.pipeline(std::span(&ask, 1)).front();
      if (auto address = address_of(reply)) return *address;
      if (reply.kind == redis_reply::type::nil)
        reason = "unknown master name";
      else if (reply.kind == redis_reply::type::error)
        reason = fmt::format("SENTINEL GET-MASTER-ADDR-BY-NAME failed: {}", reply.text);
      else
        reason = "unexpected answer to SENTINEL GET-MASTER-ADDR-BY-NAME";
    } catch (const timeout_error&) {
      reason = fmt::format("{} within {} ms", connected ? "no answer" : "no connection", each.count());
    } catch (const redis_error& e) {
      reason = reason_of(e, endpoint);
    }
    if (!reasons.empty()) reasons += "; ";
    reasons += fmt::format("{}: {}", node.text(), reason);
  }
  throw connection_error(fmt::format("no sentinel of {} named the master \"{}\": {}", sentinels.describe(),
                                     sentinels.master_name, reasons));
}

std::unique_ptr<redis_connection> connect_to_master(const redis_endpoint& sentinels, milliseconds connect_timeout,
                                                    milliseconds command_timeout) {
  const auto deadline = clock::now() + connect_timeout;
  for (;;) {
    const auto address = ask_sentinels(sentinels, connect_timeout);
    std::unique_ptr<redis_connection> connection;
    try {
      connection = std::make_unique<redis_connection>(sentinels.at(address), connect_timeout, command_timeout);
    } catch (const redis_error& e) {
      // Unreachable or silent: say who named it (the sentinels may not have noticed a dead master yet). Other
      // failures (AUTH, TLS) keep their own type and words.
      if (e.code() != errc::connection && e.code() != errc::timeout) throw;
      throw_redis_error(e.code(), fmt::format("{} (the master \"{}\" according to the sentinels of {})", e.what(),
                                              sentinels.master_name, sentinels.describe()));
    }
    const auto role = role_of(*connection);
    // A server that will not tell its role is taken at the sentinels' word.
    if (role != "replica" && role != "slave") return connection;
    if (clock::now() + replica_retry_delay > deadline)
      throw connection_error(fmt::format(
          "the sentinels of {} name {} as the master \"{}\", but it is still a replica after {} ms (a failover in "
          "progress?)",
          sentinels.describe(), address.text(), sentinels.master_name, connect_timeout.count()));
    std::this_thread::sleep_for(replica_retry_delay);
  }
}

std::unique_ptr<redis_connection> connect_to(const redis_endpoint& endpoint, milliseconds connect_timeout,
                                             milliseconds command_timeout) {
  if (endpoint.topology == redis_endpoint::deployment::sentinel)
    return connect_to_master(endpoint, connect_timeout, command_timeout);
  return std::make_unique<redis_connection>(endpoint, connect_timeout, command_timeout);
}

}  // namespace sio::detail
