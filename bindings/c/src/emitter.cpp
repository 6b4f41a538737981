// The C API (sio/emitter.h) over the public C++ API. Every entry point is noexcept: exceptions become statuses
// here and never reach C. Kept in one translation unit so a static archive pulls the whole C API or none of it.
#include "sio/emitter.h"

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sio/emitter.hpp"

struct sio_emitter {
  sio::Emitter emitter;
};

struct sio_target {
  enum class flag_kind { volatile_, compress };
  struct flag {
    flag_kind kind;
    bool enabled;
  };
  std::string nsp = "/";
  std::vector<std::string> rooms;
  std::vector<std::string> except;
  std::vector<flag> flags;  // first-set order: it reaches the wire (PROTOCOL.md §1.4)
};

namespace {

// The C statuses are the C++ codes with the same numbers; the mapping below relies on it.
static_assert(SIO_OK == static_cast<int>(sio::errc::ok));
static_assert(SIO_E_INVALID_ARGUMENT == static_cast<int>(sio::errc::invalid_argument));
static_assert(SIO_E_INVALID_JSON == static_cast<int>(sio::errc::invalid_json));
static_assert(SIO_E_INVALID_UTF8 == static_cast<int>(sio::errc::invalid_utf8));
static_assert(SIO_E_RESERVED_EVENT == static_cast<int>(sio::errc::reserved_event));
static_assert(SIO_E_INVALID_URL == static_cast<int>(sio::errc::invalid_url));
static_assert(SIO_E_CONNECTION == static_cast<int>(sio::errc::connection));
static_assert(SIO_E_AUTH == static_cast<int>(sio::errc::auth));
static_assert(SIO_E_TIMEOUT == static_cast<int>(sio::errc::timeout));
static_assert(SIO_E_REPLY == static_cast<int>(sio::errc::reply));
static_assert(SIO_E_PROTOCOL == static_cast<int>(sio::errc::protocol));
static_assert(SIO_E_TLS == static_cast<int>(sio::errc::tls));

constexpr long default_timeout_ms = 5000;

// Thrown inside the guarded bodies for argument errors found by the C layer itself. A fixed buffer, so that
// reporting a NULL pointer cannot itself fail for lack of memory.
struct c_argument_error {
  char message[128];
  explicit c_argument_error(const char* format, ...) noexcept __attribute__((format(printf, 2, 3))) {
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);
    va_end(args);
  }
};

sio_status to_status(sio::errc code) noexcept {
  switch (code) {
    case sio::errc::invalid_argument:
    case sio::errc::invalid_json:
    case sio::errc::invalid_utf8:
    case sio::errc::reserved_event:
    case sio::errc::invalid_url:
    case sio::errc::connection:
    case sio::errc::auth:
    case sio::errc::timeout:
    case sio::errc::reply:
    case sio::errc::protocol:
    case sio::errc::tls:
      return static_cast<sio_status>(code);
    case sio::errc::ok:  // an exception that claims success is still a failure
      break;
  }
  return SIO_E_INTERNAL;
}

sio_status fail(sio_error* err, sio_status status, const char* message) noexcept {
  if (err != nullptr) {
    err->status = status;
    // snprintf truncates and always NUL-terminates.
    std::snprintf(err->message, sizeof err->message, "%s", message != nullptr ? message : "");
  }
  return status;
}

sio_status succeed(sio_error* err) noexcept {
  if (err != nullptr) {
    err->status = SIO_OK;
    err->message[0] = '\0';
  }
  return SIO_OK;
}

// Runs `body`, turning every exception into a status and a message in `err`.
template <class Body>
sio_status guarded(sio_error* err, Body&& body) noexcept {
  try {
    body();
    return succeed(err);
  } catch (const c_argument_error& e) {
    return fail(err, SIO_E_INVALID_ARGUMENT, e.message);
  } catch (const sio::error& e) {
    return fail(err, to_status(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(err, SIO_E_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(err, SIO_E_INTERNAL, e.what());
  } catch (...) {
    return fail(err, SIO_E_INTERNAL, "unknown exception");
  }
}

// A C caller may store any int in an enum member; in C++ loading an out-of-range value as the enum type is
// undefined, so the bytes are read as the underlying integer.
template <class Enum>
int raw_int(const Enum& e) noexcept {
  std::underlying_type_t<Enum> raw;
  static_assert(sizeof raw == sizeof e);
  std::memcpy(&raw, &e, sizeof raw);
  return static_cast<int>(raw);
}

void require(bool ok, const char* what) {
  if (!ok) throw c_argument_error("%s", what);
}

// A dry-run emitter used only to validate target rooms and namespaces when they are set, so the error shows at
// the call that introduced it, with the library's own message. It never connects.
const sio::Emitter& validator() {
  static const sio::Emitter instance{sio::Options{.dry_run = true}};
  return instance;
}

sio::BroadcastOperator apply(const sio::Emitter& emitter, const sio_target* target) {
  if (target == nullptr) return emitter.to(sio::rooms(std::vector<std::string>{}));
  auto op = emitter.of(target->nsp).to(sio::rooms(target->rooms)).except(sio::rooms(target->except));
  for (const auto& f : target->flags)
    op = f.kind == sio_target::flag_kind::volatile_ ? op.volatile_() : op.compress(f.enabled);
  return op;
}

void report(const sio::Published& published, long long* receivers) noexcept {
  if (receivers != nullptr) *receivers = published.receivers.value_or(-1);
}

// An emit whose caller asked for the receivers waits for Redis' reply; one that did not is only queued, and its
// failure, if any, is reported by sio_emitter_flush.
void emit(const sio::BroadcastOperator& op, const char* event, std::span<const sio::value> args,
          long long* receivers) {
  if (receivers != nullptr) {
    report(op.emit_sync_args(event, args), receivers);
  } else {
    op.emit_args(event, args);
  }
}

// The C arguments as values; throws for a NULL data pointer with a size or an unknown kind.
std::vector<sio::value> values_of(const sio_arg* args, std::size_t count) {
  std::vector<sio::value> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const sio_arg& arg = args[i];
    if (arg.data == nullptr && arg.size > 0) throw c_argument_error("args[%zu].data is NULL", i);
    const std::string_view bytes(static_cast<const char*>(arg.data), arg.data != nullptr ? arg.size : 0);
    switch (const int kind = raw_int(arg.kind)) {
      case SIO_ARG_JSON: values.push_back(sio::json(bytes)); break;
      case SIO_ARG_STRING: values.emplace_back(bytes); break;  // UTF-8 is checked when encoding
      case SIO_ARG_BINARY: values.emplace_back(sio::binary(bytes)); break;
      case SIO_ARG_MSGPACK: values.push_back(sio::from_msgpack(bytes)); break;
      default: throw c_argument_error("args[%zu].kind %d is not an sio_arg_kind", i, kind);
    }
  }
  return values;
}

std::vector<sio::value> parse_json_args(const char* json_args) {
  if (json_args == nullptr) return {};
  return sio::json_args(json_args);
}

std::vector<std::string> room_list(const char* const* rooms, std::size_t count) {
  require(rooms != nullptr || count == 0, "rooms is NULL");
  std::vector<std::string> names;
  names.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (rooms[i] == nullptr) throw c_argument_error("rooms[%zu] is NULL", i);
    names.emplace_back(rooms[i]);
  }
  return names;
}

void set_flag(sio_target& target, sio_target::flag_kind kind, bool enabled) {
  for (auto& f : target.flags) {
    if (f.kind == kind) {
      f.enabled = enabled;  // keeps its first-set place, as Object.assign does
      return;
    }
  }
  target.flags.push_back({kind, enabled});
}

sio_status membership(sio_emitter* emitter, const sio_target* target, const char* const* rooms, std::size_t count,
                      bool join, long long* receivers, sio_error* err) noexcept {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    const sio::rooms names(room_list(rooms, count));
    const auto op = apply(emitter->emitter, target);
    report(join ? op.socketsJoin(names) : op.socketsLeave(names), receivers);
  });
}

// A request's wait: the caller's when positive, else the emitter's request timeout (Options::request_timeout).
std::chrono::milliseconds request_wait(const sio::Emitter& emitter, long timeout_ms) {
  return timeout_ms > 0 ? std::chrono::milliseconds(timeout_ms) : emitter.options().request_timeout;
}

// A malloc'd copy of `text` for the caller to sio_free. JSON never contains a NUL byte (to_json escapes it).
char* malloc_copy(const std::string& text) {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

// A JSON array of values, as JSON.stringify writes one (undefined -> null).
std::string json_array(const std::vector<sio::value>& values) { return sio::to_json(sio::value(values)); }

// An absent member (undefined) is shown as null, so every socket has the same keys.
sio::value defined_or_null(const sio::value& v) { return v.is_undefined() ? sio::value(nullptr) : v; }

std::string sockets_to_json(const std::vector<sio::RemoteSocket>& sockets) {
  std::vector<sio::value> items;
  items.reserve(sockets.size());
  for (const auto& s : sockets) {
    items.push_back(sio::value::object({{"id", sio::value(s.id)},
                                        {"rooms", sio::value(s.rooms)},
                                        {"handshake", defined_or_null(s.handshake)},
                                        {"data", defined_or_null(s.data)}}));
  }
  return json_array(items);
}

sio_replies to_replies(const sio::ServerReplies& r) noexcept {
  sio_replies out{};
  out.servers = r.servers;
  out.answered = r.answered;
  out.timed_out = r.timed_out ? 1 : 0;
  return out;
}

unsigned parse_version_number(const char* text) noexcept {
  unsigned parts[3] = {0, 0, 0};
  std::size_t part = 0;
  for (const char* p = text; *p != '\0' && part < 3; ++p) {
    if (*p >= '0' && *p <= '9')
      parts[part] = parts[part] * 10 + static_cast<unsigned>(*p - '0');
    else if (*p == '.')
      ++part;
    else
      break;  // a suffix such as "-rc1"
  }
  return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

// `args` makes the arguments (from JSON text or sio_args) inside the guard, so their errors become statuses.
template <class MakeArgs>
sio_status emit_confirmed(sio_emitter* emitter, const sio_target* target, const char* event, MakeArgs&& args,
                          long timeout_ms, int wait_for_acks, sio_delivery* out, char** acks_json,
                          sio_error* err) noexcept {
  if (out != nullptr) *out = sio_delivery{};
  if (acks_json != nullptr) *acks_json = nullptr;
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    require(event != nullptr, "event is NULL");
    const auto values = args();
    const auto op = apply(emitter->emitter, target).timeout(request_wait(emitter->emitter, timeout_ms));
    const auto delivery = op.emit_confirmed_args(event, values, wait_for_acks != 0);
    // The only step left that can fail (memory) comes before any result is stored.
    char* acks = acks_json != nullptr ? malloc_copy(json_array(delivery.acks)) : nullptr;
    if (acks_json != nullptr) *acks_json = acks;
    if (out != nullptr) {
      out->replies = to_replies(delivery);
      out->clients = delivery.clients;
      out->acks = delivery.acks.size();
    }
  });
}

template <class MakeArgs>
sio_status server_side_emit_with_ack(sio_emitter* emitter, const char* nsp, const char* event, MakeArgs&& args,
                                     long timeout_ms, sio_replies* out, char** responses_json,
                                     sio_error* err) noexcept {
  if (out != nullptr) *out = sio_replies{};
  if (responses_json != nullptr) *responses_json = nullptr;
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    require(event != nullptr, "event is NULL");
    const auto values = args();
    const auto io = emitter->emitter.of(nsp != nullptr ? nsp : "/");
    const auto acks = io.serverSideEmitWithAck_args(event, values, request_wait(io, timeout_ms));
    char* responses = responses_json != nullptr ? malloc_copy(json_array(acks.responses)) : nullptr;
    if (responses_json != nullptr) *responses_json = responses;
    if (out != nullptr) *out = to_replies(acks);
  });
}

}  // namespace

extern "C" {

SIO_C_API const char* sio_strerror(sio_status status) {
  switch (raw_int(status)) {  // as int: a C caller may pass any value
    case SIO_OK: return "no error";
    case SIO_E_INVALID_ARGUMENT:
    case SIO_E_INVALID_JSON:
    case SIO_E_INVALID_UTF8:
    case SIO_E_RESERVED_EVENT:
    case SIO_E_INVALID_URL:
    case SIO_E_CONNECTION:
    case SIO_E_AUTH:
    case SIO_E_TIMEOUT:
    case SIO_E_REPLY:
    case SIO_E_PROTOCOL:
    case SIO_E_TLS: return sio::to_string(static_cast<sio::errc>(status));
    case SIO_E_NO_MEMORY: return "out of memory";
    case SIO_E_INTERNAL: return "internal error";
    default: return "unknown status";
  }
}

SIO_C_API const char* sio_version(void) { return sio::version(); }

SIO_C_API unsigned sio_version_number(void) {
  static const unsigned number = parse_version_number(sio::version());
  return number;
}

namespace {

// The outage buffer's fields, where 0 (a zeroed struct) means the default, as for the timeouts.
void apply_outage_options(const sio_options& options, sio::Options& cpp) {
  if (options.max_buffered_messages < 0) cpp.max_buffered_messages = 0;
  if (options.max_buffered_messages > 0)
    cpp.max_buffered_messages = static_cast<std::size_t>(options.max_buffered_messages);
  if (options.max_buffered_bytes > 0) cpp.max_buffered_bytes = static_cast<std::size_t>(options.max_buffered_bytes);
  switch (options.overflow) {
    case SIO_OVERFLOW_FAIL_NEW: cpp.overflow = sio::Options::overflow_policy::fail_new; break;
    case SIO_OVERFLOW_DROP_OLDEST: cpp.overflow = sio::Options::overflow_policy::drop_oldest; break;
    default: require(false, "options->overflow is neither SIO_OVERFLOW_FAIL_NEW nor SIO_OVERFLOW_DROP_OLDEST");
  }
  if (options.reconnect_delay_ms > 0) cpp.reconnect_delay = std::chrono::milliseconds(options.reconnect_delay_ms);
  if (options.max_reconnect_delay_ms > 0)
    cpp.max_reconnect_delay = std::chrono::milliseconds(options.max_reconnect_delay_ms);
}

// The TLS fields; NULL strings leave the defaults (the system's CA store, the URL's host).
// The adapter fields, where 0 (a zeroed struct) means classic and the adapters' defaults.
void apply_mode_options(const sio_options& options, sio::Options& cpp) {
  switch (options.mode) {
    case SIO_MODE_CLASSIC: cpp.mode = sio::Options::adapter_mode::classic; break;
    case SIO_MODE_SHARDED: cpp.mode = sio::Options::adapter_mode::sharded; break;
    case SIO_MODE_STREAMS: cpp.mode = sio::Options::adapter_mode::streams; break;
    default: require(false, "options->mode is not an sio_mode (SIO_MODE_CLASSIC, _SHARDED or _STREAMS)");
  }
  switch (options.subscription_mode) {
    case SIO_SUBSCRIPTION_DYNAMIC: cpp.subscription = sio::Options::subscription_mode::dynamic; break;
    case SIO_SUBSCRIPTION_STATIC: cpp.subscription = sio::Options::subscription_mode::static_; break;
    case SIO_SUBSCRIPTION_DYNAMIC_PRIVATE: cpp.subscription = sio::Options::subscription_mode::dynamic_private; break;
    default: require(false, "options->subscription_mode is not an sio_subscription_mode");
  }
  if (options.stream_name != nullptr) cpp.stream_name = options.stream_name;
  if (options.stream_count > 0) cpp.stream_count = static_cast<std::size_t>(options.stream_count);
  if (options.stream_max_len > 0) cpp.stream_max_len = static_cast<std::size_t>(options.stream_max_len);
}

void apply_tls_options(const sio_options& options, sio::Options& cpp) {
  cpp.tls.enabled = options.tls != 0;
  if (options.tls_ca_file != nullptr) cpp.tls.ca_file = options.tls_ca_file;
  if (options.tls_ca_dir != nullptr) cpp.tls.ca_dir = options.tls_ca_dir;
  if (options.tls_cert_file != nullptr) cpp.tls.cert_file = options.tls_cert_file;
  if (options.tls_key_file != nullptr) cpp.tls.key_file = options.tls_key_file;
  if (options.tls_server_name != nullptr) cpp.tls.server_name = options.tls_server_name;
  cpp.tls.verify_peer = options.tls_insecure == 0;
}

}  // namespace

SIO_C_API void sio_options_init(sio_options* options) {
  if (options == nullptr) return;
  options->key = nullptr;
  options->connect_timeout_ms = default_timeout_ms;
  options->command_timeout_ms = default_timeout_ms;
  options->username = nullptr;
  options->password = nullptr;
  options->dry_run = 0;
  options->request_timeout_ms = default_timeout_ms;
  const sio::Options defaults;
  options->max_buffered_messages = static_cast<long>(defaults.max_buffered_messages);
  options->max_buffered_bytes = static_cast<long long>(defaults.max_buffered_bytes);
  options->overflow = SIO_OVERFLOW_FAIL_NEW;
  options->reconnect_delay_ms = static_cast<long>(defaults.reconnect_delay.count());
  options->max_reconnect_delay_ms = static_cast<long>(defaults.max_reconnect_delay.count());
  options->tls_ca_file = nullptr;
  options->tls_ca_dir = nullptr;
  options->tls_cert_file = nullptr;
  options->tls_key_file = nullptr;
  options->tls_server_name = nullptr;
  options->tls_insecure = 0;
  options->tls = 0;
  options->mode = SIO_MODE_CLASSIC;
  options->subscription_mode = SIO_SUBSCRIPTION_DYNAMIC;
  options->stream_name = nullptr;
  options->stream_count = 1;
  options->stream_max_len = 10000;
}

SIO_C_API sio_status sio_emitter_new(const char* redis_url, const sio_options* options, sio_emitter** out,
                                     sio_error* err) {
  if (out != nullptr) *out = nullptr;
  return guarded(err, [&] {
    require(out != nullptr, "out is NULL");
    sio::Options cpp;
    if (redis_url != nullptr) cpp.redis_url = redis_url;
    if (options != nullptr) {
      if (options->key != nullptr) cpp.key = options->key;
      cpp.connect_timeout = std::chrono::milliseconds(
          options->connect_timeout_ms > 0 ? options->connect_timeout_ms : default_timeout_ms);
      cpp.command_timeout = std::chrono::milliseconds(
          options->command_timeout_ms > 0 ? options->command_timeout_ms : default_timeout_ms);
      if (options->username != nullptr) cpp.username = options->username;
      if (options->password != nullptr) cpp.password = options->password;
      cpp.dry_run = options->dry_run != 0;
      cpp.request_timeout = std::chrono::milliseconds(
          options->request_timeout_ms > 0 ? options->request_timeout_ms : default_timeout_ms);
      apply_outage_options(*options, cpp);
      apply_tls_options(*options, cpp);
      apply_mode_options(*options, cpp);
    }
    *out = new sio_emitter{sio::Emitter(std::move(cpp))};
  });
}

SIO_C_API void sio_emitter_free(sio_emitter* emitter) {
  try {
    delete emitter;
  } catch (...) {  // destructors should not throw; never let one reach C
  }
}

SIO_C_API sio_status sio_emitter_connect(sio_emitter* emitter, sio_error* err) {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    emitter->emitter.connect();
  });
}

SIO_C_API sio_status sio_emitter_flush(sio_emitter* emitter, long timeout_ms, sio_error* err) {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    // "Without bound" in practice: the pipeline ends every command within the command timeout anyway.
    const auto timeout = timeout_ms > 0 ? std::chrono::milliseconds(timeout_ms) : std::chrono::hours(24 * 365);
    emitter->emitter.flush(timeout);
  });
}

SIO_C_API sio_target* sio_target_new(void) {
  try {
    return new sio_target{};
  } catch (...) {
    return nullptr;
  }
}

SIO_C_API sio_target* sio_target_clone(const sio_target* target) {
  if (target == nullptr) return nullptr;
  try {
    return new sio_target(*target);
  } catch (...) {
    return nullptr;
  }
}

SIO_C_API void sio_target_free(sio_target* target) { delete target; }

SIO_C_API sio_status sio_target_set_nsp(sio_target* target, const char* nsp, sio_error* err) {
  return guarded(err, [&] {
    require(target != nullptr, "target is NULL");
    require(nsp != nullptr, "nsp is NULL");
    target->nsp = validator().of(nsp).nsp();  // validated and normalised ("admin" -> "/admin")
  });
}

SIO_C_API sio_status sio_target_to(sio_target* target, const char* room, sio_error* err) {
  return guarded(err, [&] {
    require(target != nullptr, "target is NULL");
    require(room != nullptr, "room is NULL");
    validator().to(room).disconnectSockets();  // throws the library's error for an empty or non-UTF-8 room
    if (std::find(target->rooms.begin(), target->rooms.end(), room) == target->rooms.end())
      target->rooms.emplace_back(room);
  });
}

SIO_C_API sio_status sio_target_except(sio_target* target, const char* room, sio_error* err) {
  return guarded(err, [&] {
    require(target != nullptr, "target is NULL");
    require(room != nullptr, "room is NULL");
    validator().except(room).disconnectSockets();
    if (std::find(target->except.begin(), target->except.end(), room) == target->except.end())
      target->except.emplace_back(room);
  });
}

SIO_C_API sio_status sio_target_set_volatile(sio_target* target, sio_error* err) {
  return guarded(err, [&] {
    require(target != nullptr, "target is NULL");
    set_flag(*target, sio_target::flag_kind::volatile_, true);
  });
}

SIO_C_API sio_status sio_target_set_compress(sio_target* target, int enabled, sio_error* err) {
  return guarded(err, [&] {
    require(target != nullptr, "target is NULL");
    set_flag(*target, sio_target::flag_kind::compress, enabled != 0);
  });
}

SIO_C_API sio_status sio_emit_json(sio_emitter* emitter, const sio_target* target, const char* event,
                                   const char* json_args, long long* receivers, sio_error* err) {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    require(event != nullptr, "event is NULL");
    auto args = parse_json_args(json_args);
    emit(apply(emitter->emitter, target), event, args, receivers);
  });
}

SIO_C_API sio_status sio_emit(sio_emitter* emitter, const sio_target* target, const char* event, const sio_arg* args,
                              size_t count, long long* receivers, sio_error* err) {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    require(event != nullptr, "event is NULL");
    require(args != nullptr || count == 0, "args is NULL");
    emit(apply(emitter->emitter, target), event, values_of(args, count), receivers);
  });
}

SIO_C_API sio_status sio_emit_sync(sio_emitter* emitter, const sio_target* target, const char* event,
                                   const sio_arg* args, size_t count, sio_published* out, sio_error* err) {
  if (out != nullptr) {
    out->receivers = -1;
    out->offset[0] = '\0';
  }
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    require(event != nullptr, "event is NULL");
    require(args != nullptr || count == 0, "args is NULL");
    require(out != nullptr, "out is NULL");
    const auto published = apply(emitter->emitter, target).emit_sync_args(event, values_of(args, count));
    // An entry id is two 64-bit numbers and a dash: 41 characters at most, so it always fits.
    const auto length = std::min(published.offset.size(), sizeof out->offset - 1);
    published.offset.copy(out->offset, length);
    out->offset[length] = '\0';
    out->receivers = published.receivers.value_or(-1);
  });
}

SIO_C_API sio_status sio_sockets_join(sio_emitter* emitter, const sio_target* target, const char* const* rooms,
                                      size_t count, long long* receivers, sio_error* err) {
  return membership(emitter, target, rooms, count, true, receivers, err);
}

SIO_C_API sio_status sio_sockets_leave(sio_emitter* emitter, const sio_target* target, const char* const* rooms,
                                       size_t count, long long* receivers, sio_error* err) {
  return membership(emitter, target, rooms, count, false, receivers, err);
}

SIO_C_API sio_status sio_disconnect_sockets(sio_emitter* emitter, const sio_target* target, int close,
                                            long long* receivers, sio_error* err) {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    report(apply(emitter->emitter, target).disconnectSockets(close != 0), receivers);
  });
}

SIO_C_API sio_status sio_server_side_emit_json(sio_emitter* emitter, const char* nsp, const char* event,
                                               const char* json_args, long long* receivers, sio_error* err) {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    require(event != nullptr, "event is NULL");
    auto args = parse_json_args(json_args);
    report(emitter->emitter.of(nsp != nullptr ? nsp : "/").serverSideEmit_args(event, std::move(args)), receivers);
  });
}

SIO_C_API sio_status sio_server_side_emit(sio_emitter* emitter, const char* nsp, const char* event,
                                          const sio_arg* args, size_t count, long long* receivers, sio_error* err) {
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    require(event != nullptr, "event is NULL");
    require(args != nullptr || count == 0, "args is NULL");
    report(emitter->emitter.of(nsp != nullptr ? nsp : "/").serverSideEmit_args(event, values_of(args, count)),
           receivers);
  });
}

SIO_C_API sio_status sio_emit_confirmed_json(sio_emitter* emitter, const sio_target* target, const char* event,
                                             const char* json_args, long timeout_ms, int wait_for_acks,
                                             sio_delivery* out, char** acks_json, sio_error* err) {
  return emit_confirmed(
      emitter, target, event, [&] { return parse_json_args(json_args); }, timeout_ms, wait_for_acks, out, acks_json,
      err);
}

SIO_C_API sio_status sio_emit_confirmed(sio_emitter* emitter, const sio_target* target, const char* event,
                                        const sio_arg* args, size_t count, long timeout_ms, int wait_for_acks,
                                        sio_delivery* out, char** acks_json, sio_error* err) {
  return emit_confirmed(
      emitter, target, event,
      [&] {
        require(args != nullptr || count == 0, "args is NULL");
        return values_of(args, count);
      },
      timeout_ms, wait_for_acks, out, acks_json, err);
}

SIO_C_API sio_status sio_fetch_sockets_json(sio_emitter* emitter, const sio_target* target, long timeout_ms,
                                            sio_replies* out, char** sockets_json, size_t* count, sio_error* err) {
  if (out != nullptr) *out = sio_replies{};
  if (sockets_json != nullptr) *sockets_json = nullptr;
  if (count != nullptr) *count = 0;
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    const auto op = apply(emitter->emitter, target).timeout(request_wait(emitter->emitter, timeout_ms));
    const auto list = op.fetchSockets();
    char* sockets = sockets_json != nullptr ? malloc_copy(sockets_to_json(list.sockets)) : nullptr;
    if (sockets_json != nullptr) *sockets_json = sockets;
    if (out != nullptr) *out = to_replies(list);
    if (count != nullptr) *count = list.sockets.size();
  });
}

SIO_C_API sio_status sio_server_side_emit_with_ack_json(sio_emitter* emitter, const char* nsp, const char* event,
                                                        const char* json_args, long timeout_ms, sio_replies* out,
                                                        char** responses_json, sio_error* err) {
  return server_side_emit_with_ack(
      emitter, nsp, event, [&] { return parse_json_args(json_args); }, timeout_ms, out, responses_json, err);
}

SIO_C_API sio_status sio_server_side_emit_with_ack(sio_emitter* emitter, const char* nsp, const char* event,
                                                   const sio_arg* args, size_t count, long timeout_ms,
                                                   sio_replies* out, char** responses_json, sio_error* err) {
  return server_side_emit_with_ack(
      emitter, nsp, event,
      [&] {
        require(args != nullptr || count == 0, "args is NULL");
        return values_of(args, count);
      },
      timeout_ms, out, responses_json, err);
}

SIO_C_API sio_status sio_server_count(sio_emitter* emitter, const char* nsp, long long* count, sio_error* err) {
  if (count != nullptr) *count = 0;
  return guarded(err, [&] {
    require(emitter != nullptr, "emitter is NULL");
    const auto servers = emitter->emitter.of(nsp != nullptr ? nsp : "/").serverCount();
    if (count != nullptr) *count = static_cast<long long>(servers);
  });
}

SIO_C_API void sio_free(void* p) { std::free(p); }

}  // extern "C"
