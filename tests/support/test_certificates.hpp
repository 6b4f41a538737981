// Certificates for TLS tests, made fresh in a temporary directory with OpenSSL's C API (EC P-256, SHA-256):
// a CA, a server certificate for "localhost" and 127.0.0.1 signed by it, the same server with an expired
// certificate, a client certificate signed by the CA, and a second CA that signed none of them. Removed with the
// object.
#pragma once

#include <string>

namespace sio::test {

struct key_pair_files {
  std::string cert_file;  // PEM certificate
  std::string key_file;   // PEM private key (unencrypted)
};

class test_certificates {
 public:
  test_certificates();  // throws std::runtime_error naming the OpenSSL step that failed
  ~test_certificates();
  test_certificates(const test_certificates&) = delete;
  test_certificates& operator=(const test_certificates&) = delete;

  const std::string& ca_file() const noexcept { return ca_file_; }
  // A directory holding only the CA, under its subject hash (<hash>.0), as `openssl rehash` leaves it.
  const std::string& ca_dir() const noexcept { return ca_dir_; }
  const std::string& other_ca_file() const noexcept { return other_ca_file_; }
  const key_pair_files& server() const noexcept { return server_; }          // localhost, 127.0.0.1, ::1
  const key_pair_files& expired_server() const noexcept { return expired_; }  // the same names, expired yesterday
  const key_pair_files& client() const noexcept { return client_; }

 private:
  std::string dir_;
  std::string ca_file_;
  std::string ca_dir_;
  std::string other_ca_file_;
  key_pair_files server_;
  key_pair_files expired_;
  key_pair_files client_;
};

}  // namespace sio::test
