// TLS channel-binding data (RFC 9266, RFC 5929) from a live OpenSSL connection.
#include "tls/channel_binding.hpp"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

namespace correio::tls {

std::optional<std::string> tls_exporter_binding(SSL* ssl) {
  if (ssl == nullptr || SSL_version(ssl) != TLS1_3_VERSION) return std::nullopt;
  static constexpr char kLabel[] = "EXPORTER-Channel-Binding";
  unsigned char out[32];
  if (SSL_export_keying_material(ssl, out, sizeof out, kLabel, sizeof kLabel - 1, nullptr, 0, 0) !=
      1)
    return std::nullopt;
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

namespace {

// RFC 5929 §4.1: the certificate's hash with the hash of its signature algorithm, SHA-256
// for MD5, SHA-1 and signatures without a separate digest.
std::optional<std::string> end_point_hash(X509* cert) {
  if (cert == nullptr) return std::nullopt;
  int digest_nid = NID_undef;
  int pkey_nid = NID_undef;
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &digest_nid, &pkey_nid) != 1)
    digest_nid = NID_undef;
  const EVP_MD* md = nullptr;
  if (digest_nid != NID_undef && digest_nid != NID_md5 && digest_nid != NID_sha1)
    md = EVP_get_digestbynid(digest_nid);
  if (md == nullptr) md = EVP_sha256();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, md, out, &length) != 1) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

std::optional<std::string> tls_server_end_point_binding(SSL* ssl) {
  return end_point_hash(ssl ? SSL_get_certificate(ssl) : nullptr);
}

std::optional<std::string> peer_end_point_binding(SSL* ssl) {
  return end_point_hash(ssl ? SSL_get0_peer_certificate(ssl) : nullptr);
}

}  // namespace correio::tls
