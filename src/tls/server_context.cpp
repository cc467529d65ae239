// Server TLS contexts: protocol floor, cipher policy, certificate loading.
#include "tls/server_context.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace correio::tls {
namespace {

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are all modern).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> make_server_context(const ServerOptions& options) {
  if (options.cert_file.empty() || options.key_file.empty())
    return Error{"TLS needs both a certificate file and a key file"};
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
    return Error{"cannot set the TLS cipher list: " + openssl_reason()};
  if (SSL_CTX_use_certificate_chain_file(native, options.cert_file.c_str()) != 1)
    return Error{"cannot load certificate " + options.cert_file + ": " + openssl_reason()};
  if (SSL_CTX_use_PrivateKey_file(native, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return Error{"cannot load key " + options.key_file + ": " + openssl_reason()};
  if (SSL_CTX_check_private_key(native) != 1)
    return Error{"key " + options.key_file + " does not match certificate " + options.cert_file};
  return ctx;
}

std::string describe_session(SSL* ssl) {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  int alg_bits = 0;
  int bits = cipher ? SSL_CIPHER_get_bits(cipher, &alg_bits) : 0;
  return fmt::format("{} with cipher {} ({}/{} bits)", SSL_get_version(ssl),
                     cipher ? SSL_CIPHER_get_name(cipher) : "unknown", bits, alg_bits);
}

}  // namespace correio::tls
