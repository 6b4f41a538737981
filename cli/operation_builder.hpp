// operation_builder.hpp: turns parsed options into one call on sio::Emitter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "sio/emitter.hpp"

namespace notify {

// The seed's notification object: {"type":T,"payload":<payload JSON, omitted if none>,"timestamp":MS}.
// Throws sio::data_error for invalid payload JSON.
sio::value make_notification(const std::string& type, const std::optional<std::string>& payload_json,
                             std::int64_t timestamp_ms);
// The same with the payload already parsed (nullptr: no payload).
sio::value make_notification(std::string_view type, const sio::value* payload, std::int64_t timestamp_ms);

// Milliseconds since the Unix epoch: the default timestamp of a notification.
std::int64_t now_ms_since_epoch();

// The emitter of --nsp with the connection options (nothing connects before the first publish).
sio::Emitter make_emitter(const cli_options& options);

// The rooms --user and --room target, in that order. Throws sio::data_error for an empty --user.
std::vector<std::string> target_rooms(const cli_options& options);

// The event's arguments: the notification of --type, else --args or the --arg values.
std::vector<sio::value> event_arguments(const cli_options& options);

// The namespace's emitter narrowed to --user/--room/--except (and the emit flags), as io.to(...).except(...).
sio::BroadcastOperator targeted(const sio::Emitter& namespace_emitter, const cli_options& options);

// Validates, encodes and (unless dry-run) publishes. Throws sio::error subclasses.
sio::Published run_operation(const sio::Emitter& namespace_emitter, const cli_options& options);

}  // namespace notify
