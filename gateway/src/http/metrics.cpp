#include "http/metrics.hpp"

#include <cstdint>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

namespace sio::gateway::http {
namespace {

// One unlabelled metric: its HELP and TYPE lines, then its sample.
void write_metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                  std::uint64_t value) {
  fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
}

}  // namespace

std::string metrics_text(const gateway_stats& s) {
  std::string out;
  write_metric(out, "sio_gateway_connections", "gauge", "Open Engine.IO connections (all transports).",
               s.engine.open_sessions);
  out += "# HELP sio_gateway_transport_connections Open Engine.IO connections by current transport.\n"
         "# TYPE sio_gateway_transport_connections gauge\n";
  fmt::format_to(std::back_inserter(out), "sio_gateway_transport_connections{{transport=\"polling\"}} {}\n",
                 s.engine.polling_sessions);
  fmt::format_to(std::back_inserter(out), "sio_gateway_transport_connections{{transport=\"websocket\"}} {}\n",
                 s.engine.websocket_sessions);
  write_metric(out, "sio_gateway_sockets", "gauge", "Connected Socket.IO sockets (all namespaces).", s.sockets);
  write_metric(out, "sio_gateway_handshakes_total", "counter", "Engine.IO handshakes completed.",
               s.engine.handshakes_total);
  write_metric(out, "sio_gateway_upgrades_total", "counter", "Polling connections upgraded to WebSocket.",
               s.engine.upgrades_total);
  write_metric(out, "sio_gateway_packets_sent_total", "counter", "Engine.IO packets sent to clients.",
               s.engine.packets_sent_total);
  write_metric(out, "sio_gateway_sent_bytes_total", "counter", "Bytes of Engine.IO packets sent to clients.",
               s.engine.bytes_sent_total);
  write_metric(out, "sio_gateway_volatile_dropped_total", "counter",
               "Volatile packets dropped for sockets that were not ready to receive them.", s.volatile_dropped);
  write_metric(out, "sio_gateway_slow_consumers_closed_total", "counter",
               "Connections closed for having more than --max-send-queue bytes waiting to be written.",
               s.engine.slow_consumers_closed_total);
  write_metric(out, "sio_gateway_connections_refused_total", "counter",
               "Handshakes refused with 503 (or TCP connections closed at once) past --max-connections.",
               s.engine.connections_refused_total);
  write_metric(out, "sio_gateway_handshakes_rate_limited_total", "counter",
               "Handshakes refused with 429 by the per-address --handshake-rate limit.",
               s.engine.handshakes_rate_limited_total);
  write_metric(out, "sio_gateway_pending_refused_total", "counter",
               "TCP connections closed at accept: their address already held --max-pending-per-address "
               "connections not authenticated yet.",
               s.engine.pending_refused_total);
  write_metric(out, "sio_gateway_preauth_refused_total", "counter",
               "Handshakes (503) and requests (connection closed) refused for want of --preauth-memory.",
               s.engine.preauth_refused_total);
  write_metric(out, "sio_gateway_preauth_bytes", "gauge",
               "Bytes of --preauth-memory reserved now by clients not authenticated yet.", s.engine.preauth_bytes);
  write_metric(out, "sio_gateway_accept_errors_total", "counter",
               "Failures to accept a connection (out of descriptors or memory).", s.engine.accept_errors_total);
  write_metric(out, "sio_gateway_redis_connected", "gauge", "1 while the Redis subscription is up, else 0.",
               s.redis.redis_connected ? 1 : 0);
  write_metric(out, "sio_gateway_redis_channels", "gauge",
               "Redis channels and patterns subscribed (sharded mode: the rooms' channels included).", s.redis.channels);
  out += "# HELP sio_gateway_redis_node_channels Channels and patterns subscribed on each Redis server.\n"
         "# TYPE sio_gateway_redis_node_channels gauge\n";
  for (const auto& n : s.redis.nodes)
    fmt::format_to(std::back_inserter(out), "sio_gateway_redis_node_channels{{node=\"{}\"}} {}\n", n.node, n.channels);
  out += "# HELP sio_gateway_redis_node_streams Streams read on each Redis server (streams mode).\n"
         "# TYPE sio_gateway_redis_node_streams gauge\n";
  for (const auto& n : s.redis.nodes)
    fmt::format_to(std::back_inserter(out), "sio_gateway_redis_node_streams{{node=\"{}\"}} {}\n", n.node, n.streams);
  write_metric(out, "sio_gateway_redis_streams", "gauge", "Streams mode: the adapter's streams this gateway reads.",
               s.redis.streams);
  write_metric(out, "sio_gateway_redis_streams_connected", "gauge",
               "Streams mode: the streams whose reader is connected now.", s.redis.streams_connected);
  write_metric(out, "sio_gateway_stream_entries_total", "counter", "Streams mode: stream entries read.",
               s.redis.stream_entries);
  write_metric(out, "sio_gateway_sessions_stored_total", "counter",
               "Connection state recovery: sessions stored for sockets that dropped.", s.redis.sessions_stored);
  write_metric(out, "sio_gateway_sessions_restored_total", "counter",
               "Connection state recovery: reconnections that got their session back.", s.redis.sessions_restored);
  write_metric(out, "sio_gateway_sessions_not_restored_total", "counter",
               "Connection state recovery: reconnections with a pid whose session was gone (expired, unknown, "
               "offset trimmed): they start a new one.",
               s.redis.sessions_not_found);
  write_metric(out, "sio_gateway_sessions_refused_total", "counter",
               "Connection state recovery: sessions found for a reconnection but not restored, since they belong to "
               "another user than the one authenticated.",
               s.sessions_refused);
  write_metric(out, "sio_gateway_broadcasts_received_total", "counter",
               "Broadcasts received from Redis and applied.", s.redis.broadcasts_received);
  write_metric(out, "sio_gateway_broadcasts_ignored_total", "counter",
               "Broadcasts received from Redis and filtered out (own, other namespace, no such room).",
               s.redis.broadcasts_ignored);
  write_metric(out, "sio_gateway_deliveries_total", "counter", "Packets written to sockets by broadcasts.",
               s.redis.deliveries);
  write_metric(out, "sio_gateway_requests_received_total", "counter",
               "Requests received on the adapter's request channel.", s.redis.requests_received);
  write_metric(out, "sio_gateway_malformed_messages_total", "counter", "Redis messages that could not be decoded.",
               s.redis.malformed_messages);
  write_metric(out, "sio_gateway_redis_reconnects_total", "counter", "Reconnections to Redis after a failure.",
               s.redis.reconnects);
  return out;
}

}  // namespace sio::gateway::http
