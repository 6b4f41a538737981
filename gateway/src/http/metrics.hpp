// GET /metrics: the gateway's counters and gauges in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <string>

#include "http/stats.hpp"

namespace sio::gateway::http {

inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Every metric with its # HELP and # TYPE lines; counters end with _total.
std::string metrics_text(const gateway_stats& stats);

}  // namespace sio::gateway::http
