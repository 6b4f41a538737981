#include "redis/tls_stream.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "redis/sigpipe_guard.hpp"
#include "redis/socket_connect.hpp"
#include "sio/error.hpp"

namespace sio::detail {

namespace {

using clock = std::chrono::steady_clock;

// OpenSSL is loaded on the first TLS connection, not with the library: loading and relocating libssl and libcrypto
// cost a one-shot `notify` to plain redis:// about a millisecond (issue 21), for code it never runs. The headers
// still give every function its type; these are called through the table (libsio-emitter.so does not link OpenSSL,
// so its --no-undefined link refuses a direct call).
#define SIO_OPENSSL_FUNCTIONS(X)                                                                                    \
  X(SSL_CTX_new) X(SSL_CTX_free) X(TLS_client_method) X(SSL_CTX_ctrl) X(SSL_CTX_set_verify)                         \
  X(SSL_CTX_set_default_verify_paths) X(SSL_CTX_load_verify_locations) X(SSL_CTX_use_certificate_chain_file)        \
  X(SSL_CTX_use_PrivateKey_file) X(SSL_CTX_check_private_key) X(SSL_CTX_set_client_cert_cb) X(SSL_new) X(SSL_free)  \
  X(SSL_set_fd) X(SSL_ctrl) X(SSL_set_ex_data) X(SSL_get_ex_data) X(SSL_get0_param) X(SSL_set1_host)                \
  X(SSL_set_connect_state) X(SSL_connect) X(SSL_read) X(SSL_write) X(SSL_pending) X(SSL_shutdown) X(SSL_get_error)   \
  X(SSL_get_verify_result) X(ERR_get_error) X(ERR_clear_error) X(ERR_reason_error_string)                          \
  X(X509_VERIFY_PARAM_set1_ip_asc) X(X509_verify_cert_error_string)

struct openssl_api {
#define SIO_OPENSSL_MEMBER(name) decltype(&::name) name = nullptr;
  SIO_OPENSSL_FUNCTIONS(SIO_OPENSSL_MEMBER)
#undef SIO_OPENSSL_MEMBER
};

#define SIO_STRINGIFY(x) #x
#define SIO_EXPAND_STRINGIFY(x) SIO_STRINGIFY(x)
// The libssl these headers belong to (its SONAME); it brings its libcrypto, where dlsym finds the ERR_ and X509_
// functions too.
#ifdef OPENSSL_SHLIB_VERSION
constexpr const char* libssl_name = "libssl.so." SIO_EXPAND_STRINGIFY(OPENSSL_SHLIB_VERSION);  // OpenSSL 3
#else
constexpr const char* libssl_name = "libssl.so." SHLIB_VERSION_NUMBER;  // OpenSSL 1.1
#endif

openssl_api load_openssl() {
  void* library = ::dlopen(libssl_name, RTLD_NOW | RTLD_LOCAL);  // never closed: OpenSSL cannot be unloaded
  if (library == nullptr) throw tls_error(fmt::format("cannot load OpenSSL for TLS: {}", ::dlerror()));
  openssl_api api;
  const auto bind = [library](auto& function, const char* name) {
    void* symbol = ::dlsym(library, name);
    if (symbol == nullptr) throw tls_error(fmt::format("cannot load OpenSSL for TLS: {}", ::dlerror()));
    static_assert(sizeof function == sizeof symbol);
    std::memcpy(&function, &symbol, sizeof function);  // POSIX: a data pointer from dlsym holds a function's
  };
#define SIO_OPENSSL_BIND(name) bind(api.name, #name);
  SIO_OPENSSL_FUNCTIONS(SIO_OPENSSL_BIND)
#undef SIO_OPENSSL_BIND
  return api;
}

// Loaded once, thread-safely; a failed load throws sio::tls_error and is tried again by the next TLS connection.
const openssl_api& openssl() {
  static const openssl_api api = load_openssl();
  return api;
}

struct ssl_ctx_deleter {
  void operator()(SSL_CTX* context) const noexcept { openssl().SSL_CTX_free(context); }
};
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_deleter>;

struct ssl_deleter {
  void operator()(SSL* ssl) const noexcept { openssl().SSL_free(ssl); }
};
using ssl_ptr = std::unique_ptr<SSL, ssl_deleter>;

// The first error OpenSSL queued in this thread, in words; the queue is emptied so the next call starts clean.
std::pair<std::string, int> take_openssl_error() {
  const unsigned long first = openssl().ERR_get_error();
  openssl().ERR_clear_error();
  if (first == 0) return {"unknown TLS error", 0};
  const char* reason = openssl().ERR_reason_error_string(first);
  return {reason != nullptr ? reason : fmt::format("OpenSSL error {:#x}", first), ERR_GET_REASON(first)};
}

// The server refused the handshake for want of a client certificate (TLS 1.3's certificate_required alert, or
// TLS 1.2's handshake_failure after it asked for one).
bool is_missing_certificate(int reason, bool certificate_requested) {
  if (reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) return true;
  return certificate_requested &&
         (reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE || reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE);
}

// The fix when the port is not a TLS one: said by every message that finds a plain server there.
constexpr std::string_view not_tls_fix = "use redis:// without --tls, or the server's TLS port";

std::string plain_redis_message(const std::string& where) {
  return fmt::format("TLS handshake with {} failed: the server is a plain Redis, not a TLS one ({})", where,
                     not_tls_fix);
}

// OpenSSL's reasons for plain text where a TLS record should be (e.g. "-ERR ..." read as a record header).
bool is_plain_text_reply(int reason) {
  return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
         reason == SSL_R_RECORD_LENGTH_MISMATCH;
}

// A plain redis-server reads the ClientHello as the start of an inline command: it looks for a newline with
// strchr, which stops at the hello's first zero byte, so it never finds one and waits, silent, for the rest. To
// tell that from a slow TLS server, a second connection to the same endpoint says PING in plain text: a RESP
// reply ('+PONG', '-NOAUTH ...', '-DENIED ...') means a plain Redis. Empty when it cannot connect.
unique_fd send_plain_ping(const redis_endpoint& endpoint, clock::time_point deadline,
                          std::chrono::milliseconds timeout) {
  try {
    auto probe = connect_socket(endpoint, deadline, timeout);
    constexpr std::string_view ping = "PING\r\n";
    if (::send(probe.get(), ping.data(), ping.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ping.size())) return {};
    return probe;
  } catch (const error&) {
    return {};
  }
}

bool answers_plain_redis(int probe) {
  char first = 0;
  return ::recv(probe, &first, 1, MSG_DONTWAIT) == 1 && (first == '+' || first == '-');
}

std::string missing_certificate_message(const std::string& where) {
  return fmt::format("Redis at {} requires a client certificate (tls-auth-clients): set the client certificate and key",
                     where);
}

// fopen/opendir first: OpenSSL's own errors for a missing file ("no such file", "system lib") say less.
void check_readable_file(const std::string& what, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) throw tls_error(fmt::format("cannot read the {} \"{}\": {}", what, path, std::strerror(errno)));
  std::fclose(file);
}

void check_readable_dir(const std::string& what, const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) throw tls_error(fmt::format("cannot read the {} \"{}\": {}", what, path, std::strerror(errno)));
  ::closedir(dir);
}

// What OpenSSL's SSL_set_tlsext_host_name macro expands to (macros call OpenSSL directly, not through the table).
bool send_server_name(SSL* ssl, const std::string& name) {
  return openssl().SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                            const_cast<char*>(name.c_str())) == 1;
}

bool is_ip_literal(const std::string& host) {
  unsigned char address[16];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 || ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

int on_certificate_request(SSL* ssl, X509** /*certificate*/, EVP_PKEY** /*key*/);

ssl_ctx_ptr make_context(const TlsOptions& settings) {
  openssl().ERR_clear_error();
  ssl_ctx_ptr context(openssl().SSL_CTX_new(openssl().TLS_client_method()));
  if (!context) throw tls_error(fmt::format("cannot set up TLS: {}", take_openssl_error().first));
  // SSL_CTX_set_min_proto_version and SSL_CTX_set_mode, as their macros expand.
  openssl().SSL_CTX_ctrl(context.get(), SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
  // Partial writes: the pipeline writes large batches and wants to know how much went. A moving buffer: a write
  // retried after want_write may come from a buffer that grew (and moved) meanwhile.
  openssl().SSL_CTX_ctrl(context.get(), SSL_CTRL_MODE,
                         SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, nullptr);

  if (settings.verify_peer) {
    openssl().SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    if (settings.ca_file.empty() && settings.ca_dir.empty()) {
      if (openssl().SSL_CTX_set_default_verify_paths(context.get()) != 1)
        throw tls_error(fmt::format("cannot load the system's CA certificates: {}", take_openssl_error().first));
    } else {
      if (!settings.ca_file.empty()) check_readable_file("CA file", settings.ca_file);
      if (!settings.ca_dir.empty()) check_readable_dir("CA directory", settings.ca_dir);
      if (openssl().SSL_CTX_load_verify_locations(context.get(), settings.ca_file.empty() ? nullptr : settings.ca_file.c_str(),
                                        settings.ca_dir.empty() ? nullptr : settings.ca_dir.c_str()) != 1)
        throw tls_error(fmt::format("cannot load the CA certificates from \"{}\": {}",
                                    settings.ca_file.empty() ? settings.ca_dir : settings.ca_file,
                                    take_openssl_error().first));
    }
  } else {
    openssl().SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  }

  if (settings.cert_file.empty() != settings.key_file.empty())
    throw tls_error("a TLS client certificate needs its private key: set both the certificate and the key file");
  if (!settings.cert_file.empty()) {
    check_readable_file("client certificate", settings.cert_file);
    check_readable_file("client key", settings.key_file);
    if (openssl().SSL_CTX_use_certificate_chain_file(context.get(), settings.cert_file.c_str()) != 1)
      throw tls_error(fmt::format("cannot load the client certificate \"{}\": {}", settings.cert_file,
                                  take_openssl_error().first));
    if (openssl().SSL_CTX_use_PrivateKey_file(context.get(), settings.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      throw tls_error(
          fmt::format("cannot load the client key \"{}\": {}", settings.key_file, take_openssl_error().first));
    if (openssl().SSL_CTX_check_private_key(context.get()) != 1)
      throw tls_error(fmt::format("the client key \"{}\" does not match the certificate \"{}\"", settings.key_file,
                                  settings.cert_file));
  }
  // Called only when the server asks for a certificate and none is set: remembered for a clear message.
  openssl().SSL_CTX_set_client_cert_cb(context.get(), on_certificate_request);
  return context;
}

class tls_stream final : public byte_stream {
 public:
  tls_stream(unique_fd socket, std::string where) : byte_stream(socket.get()), socket_(std::move(socket)),
                                                    where_(std::move(where)) {}
  ~tls_stream() override {
    // OpenSSL forbids SSL_shutdown after a fatal error. Otherwise one non-blocking close_notify, best effort: the
    // socket closes right after anyway.
    if (!ssl_ || !established_ || fatal_) return;
    const sigpipe_guard no_sigpipe;
    openssl().ERR_clear_error();
    openssl().SSL_shutdown(ssl_.get());
    openssl().ERR_clear_error();
  }
  tls_stream(const tls_stream&) = delete;
  tls_stream& operator=(const tls_stream&) = delete;

  void handshake(const redis_endpoint& endpoint, clock::time_point deadline, std::chrono::milliseconds timeout);

  io_result read_some(char* buffer, std::size_t size) override {
    openssl().ERR_clear_error();
    const int n = openssl().SSL_read(ssl_.get(), buffer, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    if (n > 0) {
      received_any_ = true;
      return {io_result::status::ok, static_cast<std::size_t>(n), {}};
    }
    return classify(n);
  }

  io_result write_some(const char* data, std::size_t size) override {
    if (size == 0) return {io_result::status::ok, 0, {}};
    openssl().ERR_clear_error();
    const int n = openssl().SSL_write(ssl_.get(), data, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    if (n > 0) return {io_result::status::ok, static_cast<std::size_t>(n), {}};
    return classify(n);
  }

  bool has_buffered_input() const override { return openssl().SSL_pending(ssl_.get()) > 0; }
  bool is_tls() const noexcept override { return true; }
  bool client_certificate_missing() const noexcept override { return certificate_requested_; }

  void note_certificate_request() noexcept { certificate_requested_ = true; }

 private:
  io_result classify(int result) {
    const int saved_errno = errno;
    // The server asked for a certificate, got none, and the connection died before it sent a single byte: that
    // is the refusal, whether it came as an alert, an end of file or a reset (its alert lost to our PING).
    const bool refused_for_certificate = certificate_requested_ && !received_any_;
    switch (openssl().SSL_get_error(ssl_.get(), result)) {
      case SSL_ERROR_WANT_READ: return {io_result::status::want_read, 0, {}};
      case SSL_ERROR_WANT_WRITE: return {io_result::status::want_write, 0, {}};
      case SSL_ERROR_ZERO_RETURN: return {io_result::status::closed, 0, {}};
      case SSL_ERROR_SYSCALL:
        openssl().ERR_clear_error();
        fatal_ = true;
        if (refused_for_certificate) return {io_result::status::tls_failed, 0, missing_certificate_message(where_)};
        // An end of file without close_notify is how Redis closes a connection it drops.
        if (saved_errno == 0 || result == 0) return {io_result::status::closed, 0, {}};
        return {io_result::status::failed, 0, std::strerror(saved_errno)};
      default: {
        fatal_ = true;
        const auto [reason, code] = take_openssl_error();
        if (is_missing_certificate(code, certificate_requested_) || refused_for_certificate)
          return {io_result::status::tls_failed, 0, missing_certificate_message(where_)};
        return {io_result::status::tls_failed, 0,
                fmt::format("TLS failed on the connection to Redis at {}: {}", where_, reason)};
      }
    }
  }

  unique_fd socket_;
  std::string where_;
  ssl_ctx_ptr context_;
  ssl_ptr ssl_;
  bool established_ = false;
  bool fatal_ = false;  // SSL_ERROR_SYSCALL or SSL_ERROR_SSL: the session is unusable
  bool certificate_requested_ = false;
  bool received_any_ = false;
};

int on_certificate_request(SSL* ssl, X509** /*certificate*/, EVP_PKEY** /*key*/) {
  // SSL_get_app_data, as its macro expands.
  static_cast<tls_stream*>(openssl().SSL_get_ex_data(ssl, 0))->note_certificate_request();
  return 0;  // no certificate: go on without one, the server decides
}

void tls_stream::handshake(const redis_endpoint& endpoint, clock::time_point deadline,
                           std::chrono::milliseconds timeout) {
  const auto& settings = endpoint.tls;
  context_ = make_context(settings);
  ssl_.reset(openssl().SSL_new(context_.get()));
  if (!ssl_ || openssl().SSL_set_fd(ssl_.get(), fd()) != 1)
    throw tls_error(fmt::format("cannot set up TLS for {}: {}", where_, take_openssl_error().first));
  openssl().SSL_set_ex_data(ssl_.get(), 0, this);  // SSL_set_app_data

  const std::string& name = settings.server_name.empty() ? endpoint.host : settings.server_name;
  const bool ip = is_ip_literal(name);
  // SNI carries host names only (RFC 6066 forbids IP literals).
  if (!ip && !send_server_name(ssl_.get(), name))
    throw tls_error(fmt::format("cannot send the server name \"{}\" to {}: {}", name, where_,
                                take_openssl_error().first));
  if (settings.verify_peer) {
    const int set = ip ? openssl().X509_VERIFY_PARAM_set1_ip_asc(openssl().SSL_get0_param(ssl_.get()), name.c_str())
                       : openssl().SSL_set1_host(ssl_.get(), name.c_str());
    if (set != 1)
      throw tls_error(fmt::format("cannot check the server name \"{}\" of {}: {}", name, where_,
                                  take_openssl_error().first));
  }
  openssl().SSL_set_connect_state(ssl_.get());

  const sigpipe_guard no_sigpipe;
  // How long the server may stay silent after the ClientHello before a plain PING asks whether it is a plain Redis.
  const auto probe_at = clock::now() + std::min<std::chrono::milliseconds>(std::chrono::milliseconds(250), timeout / 2);
  bool server_spoke = false;
  bool probed = false;
  unique_fd probe;
  for (;;) {
    openssl().ERR_clear_error();
    const int result = openssl().SSL_connect(ssl_.get());
    if (result == 1) break;
    const int saved_errno = errno;
    short events = 0;
    switch (openssl().SSL_get_error(ssl_.get(), result)) {
      case SSL_ERROR_WANT_READ: events = POLLIN; break;
      case SSL_ERROR_WANT_WRITE: events = POLLOUT; break;
      case SSL_ERROR_SYSCALL: {
        openssl().ERR_clear_error();
        if (certificate_requested_) throw tls_error(missing_certificate_message(where_));
        throw tls_error(fmt::format("TLS handshake with {} failed: {}", where_,
                                    saved_errno == 0 || result == 0 ? "the server closed the connection (is it a TLS port?)"
                                                                    : std::strerror(saved_errno)));
      }
      default: {
        const long verified = openssl().SSL_get_verify_result(ssl_.get());
        const auto [reason, code] = take_openssl_error();
        if (is_missing_certificate(code, certificate_requested_)) throw tls_error(missing_certificate_message(where_));
        if (verified != X509_V_OK)
          throw tls_error(fmt::format("TLS handshake with {} failed: {} ({})", where_, reason,
                                      openssl().X509_verify_cert_error_string(verified)));
        if (is_plain_text_reply(code))
          throw tls_error(fmt::format("TLS handshake with {} failed: {} (the server did not answer as a TLS server: "
                                      "{})",
                                      where_, reason, not_tls_fix));
        throw tls_error(fmt::format("TLS handshake with {} failed: {}", where_, reason));
      }
    }
    for (;;) {
      const auto now = clock::now();
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
      if (left <= 0)
        throw timeout_error(fmt::format("TLS handshake with {} did not finish within {} ms", where_, timeout.count()));
      const bool may_probe = !probed && !server_spoke && events == POLLIN;
      if (may_probe && now >= probe_at) {
        probed = true;
        probe = send_plain_ping(endpoint, deadline, timeout);
        continue;
      }
      auto wait = left;
      if (may_probe) wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(probe_at - now).count());
      std::array<pollfd, 2> fds{pollfd{fd(), events, 0}, pollfd{probe.get(), POLLIN, 0}};
      const int ready =
          ::poll(fds.data(), probe.get() >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(wait, INT_MAX)));
      if (ready < 0 && errno != EINTR)
        throw connection_error(fmt::format("TLS handshake with {} failed: {}", where_, std::strerror(errno)));
      if (ready <= 0) continue;
      if (fds[0].revents != 0) {
        server_spoke = server_spoke || events == POLLIN;
        break;
      }
      if (answers_plain_redis(probe.get())) throw tls_error(plain_redis_message(where_));
      probe = unique_fd{};  // no plain answer (closed, or not RESP): the handshake goes on alone
    }
  }
  established_ = true;
}

}  // namespace

std::unique_ptr<byte_stream> start_tls(unique_fd socket, const redis_endpoint& endpoint, clock::time_point deadline,
                                       std::chrono::milliseconds timeout) {
  auto stream = std::make_unique<tls_stream>(std::move(socket), endpoint.describe());
  stream->handshake(endpoint, deadline, timeout);
  return stream;
}

}  // namespace sio::detail
