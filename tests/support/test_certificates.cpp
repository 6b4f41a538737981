#include "support/test_certificates.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace sio::test {

namespace {

struct key_deleter {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_deleter>;

struct x509_deleter {
  void operator()(X509* cert) const noexcept { X509_free(cert); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

[[noreturn]] void fail(const std::string& step) {
  char reason[256] = "no OpenSSL error queued";
  if (const unsigned long error = ERR_get_error(); error != 0) ERR_error_string_n(error, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error("test certificates: " + step + " failed: " + reason);
}

void check(int result, const std::string& step) {
  if (result <= 0) fail(step);
}

key_ptr new_key() {
  key_ptr key(EVP_EC_gen("P-256"));
  if (!key) fail("EC key generation");
  return key;
}

struct certificate_spec {
  std::string common_name{};
  bool is_ca = false;
  std::string subject_alt_names{};  // "DNS:localhost,IP:127.0.0.1" or empty
  std::string extended_usage{};     // "serverAuth", "clientAuth" or empty
  long not_before_seconds = -3600;        // relative to now
  long not_after_seconds = 30L * 24 * 3600;
};

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) fail("extension " + value);
  const int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  check(added, "adding extension " + value);
}

// Signed by `issuer` with `issuer_key`, or self-signed when issuer is null.
x509_ptr make_certificate(const certificate_spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  x509_ptr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), 2), "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial), "serial");
  // notBefore and notAfter set directly: an expired certificate is just one whose window lies in the past.
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_seconds) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_seconds) != nullptr, "notAfter");
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("sio tests"), -1, -1, 0), "O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0), "CN");
  X509* signer = issuer != nullptr ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)), "issuer name");
  add_extension(cert.get(), signer, NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(cert.get(), signer, NID_key_usage,
                spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid");
  if (!spec.extended_usage.empty()) add_extension(cert.get(), signer, NID_ext_key_usage, spec.extended_usage);
  if (!spec.subject_alt_names.empty())
    add_extension(cert.get(), signer, NID_subject_alt_name, spec.subject_alt_names);
  check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()), "X509_sign");
  return cert;
}

void write_certificate(const std::string& path, X509* cert) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) throw std::runtime_error("test certificates: cannot write " + path);
  const int written = PEM_write_X509(file, cert);
  std::fclose(file);
  check(written, "writing " + path);
}

void write_key(const std::string& path, EVP_PKEY* key) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) throw std::runtime_error("test certificates: cannot write " + path);
  const int written = PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(file);
  check(written, "writing " + path);
}

}  // namespace

test_certificates::test_certificates() {
  char dir_template[] = "/tmp/sio-certs-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("test certificates: mkdtemp failed");
  dir_ = dir_template;

  const auto ca_key = new_key();
  const auto ca = make_certificate({.common_name = "sio test CA", .is_ca = true}, ca_key.get(), nullptr, nullptr);
  ca_file_ = dir_ + "/ca.pem";
  write_certificate(ca_file_, ca.get());
  ca_dir_ = dir_ + "/ca.d";
  std::filesystem::create_directory(ca_dir_);
  char hash[16];
  std::snprintf(hash, sizeof hash, "%08lx.0", X509_subject_name_hash(ca.get()));
  write_certificate(ca_dir_ + "/" + hash, ca.get());

  const auto other_key = new_key();
  const auto other = make_certificate({.common_name = "unrelated CA", .is_ca = true}, other_key.get(), nullptr, nullptr);
  other_ca_file_ = dir_ + "/other-ca.pem";
  write_certificate(other_ca_file_, other.get());

  const certificate_spec server_spec{.common_name = "localhost",
                                     .subject_alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1",
                                     .extended_usage = "serverAuth"};
  const auto server_key = new_key();
  const auto server = make_certificate(server_spec, server_key.get(), ca.get(), ca_key.get());
  server_ = {dir_ + "/server.pem", dir_ + "/server.key"};
  write_certificate(server_.cert_file, server.get());
  write_key(server_.key_file, server_key.get());

  auto expired_spec = server_spec;
  expired_spec.not_before_seconds = -2 * 24 * 3600;
  expired_spec.not_after_seconds = -24 * 3600;
  const auto expired = make_certificate(expired_spec, server_key.get(), ca.get(), ca_key.get());
  expired_ = {dir_ + "/expired.pem", server_.key_file};
  write_certificate(expired_.cert_file, expired.get());

  const auto client_key = new_key();
  const auto client = make_certificate({.common_name = "sio test client", .extended_usage = "clientAuth"},
                                       client_key.get(), ca.get(), ca_key.get());
  client_ = {dir_ + "/client.pem", dir_ + "/client.key"};
  write_certificate(client_.cert_file, client.get());
  write_key(client_.key_file, client_key.get());
}

test_certificates::~test_certificates() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace sio::test
