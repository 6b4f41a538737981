// Refuses what Socket.IO receivers cannot take, before anything is encoded or published.
#pragma once

#include <string_view>

#include "sio/internal/protocol/operation.hpp"

namespace sio::detail {

// Throws sio::data_error: empty or reserved event names, empty rooms, invalid UTF-8 in names.
// Argument values are checked while they are encoded (same guarantee: nothing is published).
void validate(const operation& op);

// The rooms and except rooms alone (requests that carry no event): same errors.
void validate_target(const target& to);

// Throws sio::data_error(errc::invalid_argument) for an empty key, errc::invalid_utf8 for a bad one.
void validate_key(std::string_view key);

// "admin" -> "/admin", as the Node emitter's of() does; nothing else is normalised. Throws for invalid UTF-8.
std::string normalize_namespace(std::string_view nsp);

}  // namespace sio::detail
