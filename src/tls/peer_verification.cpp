// Server certificate verification for the SMTP client (see peer_verification.hpp).
#include "tls/peer_verification.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace correio::tls {
namespace {

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

std::string verify_problem(long code) {
  return fmt::format("num={}:{}", code, X509_verify_cert_error_string(code));
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> make_client_context(
    const ClientTrust& trust, const std::vector<uint8_t>& dane_digests) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return Error{"cannot set the minimum TLS version"};
  // The handshake completes whatever the certificate; check_peer() judges it afterwards,
  // as Postfix's tls_client_start() does, so that "may" still encrypts and "verify" can
  // say exactly why it refuses (SSL_get_verify_result keeps OpenSSL's first error).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (Status dane = enable_dane(ctx, dane_digests); !dane) return dane.error();
  ERR_clear_error();
  if (trust.ca_file.empty() && trust.ca_path.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return Error{"cannot load the system CA certificates: " + openssl_reason()};
    return context;
  }
  const char* file = trust.ca_file.empty() ? nullptr : trust.ca_file.c_str();
  const char* path = trust.ca_path.empty() ? nullptr : trust.ca_path.c_str();
  if (SSL_CTX_load_verify_locations(ctx, file, path) != 1)
    return Error{fmt::format("cannot load CA certificates from {}: {}",
                             file ? trust.ca_file : trust.ca_path, openssl_reason())};
  return context;
}

Status prepare_client(SSL* ssl, const PeerCheck& check) {
  ERR_clear_error();
  // RFC 6066 §3: a host name, never an address literal.
  if (!check.sni.empty() && SSL_set_tlsext_host_name(ssl, check.sni.c_str()) != 1)
    return Error{fmt::format("cannot send SNI \"{}\": {}", check.sni, openssl_reason())};
  Status applied = apply_policy(ssl, check.policy);
  if (applied && !check.dane.records.empty()) applied = apply_dane(ssl, check.dane);
  if (applied && check.sessions != nullptr) check.sessions->prepare(ssl, check.session_key);
  return applied;
}

PeerVerdict check_peer(SSL* ssl, const PeerCheck& check) {
  PeerVerdict verdict;
  verdict.reused = SSL_session_reused(ssl) == 1;
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr) {
    verdict.problem = "no server certificate";
    return verdict;
  }
  // A resumed session keeps the verdict and certificate of its first handshake.
  long result = SSL_get_verify_result(ssl);
  verdict.trusted = result == X509_V_OK;
  if (!verdict.trusted) {
    verdict.problem = verify_problem(result);
    return verdict;
  }
  // RFC 7672 §3: with TLSA records OpenSSL's chain verification was DANE's (the names of a
  // DANE-TA match included); X509_V_OK means a record matched.
  if (!check.dane.records.empty()) {
    // A resumed session carries no DANE authority of its own, but its stored verify
    // result was reached under these very records: the session key includes their digest
    // (dane_session_key), so X509_V_OK then means a record matched.
    verdict.matched = verdict.reused || !dane_match(ssl).empty();
    if (!verdict.matched) verdict.problem = verify_problem(X509_V_ERR_DANE_NO_MATCH);
    return verdict;
  }
  // RFC 6125 §6.4: DNS-IDs, the CN only without them (OpenSSL's default). X509_check_host
  // treats a leading "." as "any sub-domain" (OpenSSL's parent-domain
  // rule), which is Postfix's ".domain" / dot-nexthop pattern.
  for (const auto& name : check.names) {
    if (X509_check_host(certificate, name.data(), name.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                        nullptr) == 1) {
      verdict.matched = true;
      return verdict;
    }
  }
  verdict.problem = verify_problem(X509_V_ERR_HOSTNAME_MISMATCH);
  return verdict;
}

}  // namespace correio::tls
