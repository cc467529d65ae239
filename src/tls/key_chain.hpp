// Private keys and certificate chains read from PEM, in the two layouts Postfix knows:
// the legacy pair (smtpd_tls_cert_file + smtpd_tls_key_file) and Postfix 3.4's chain files
// (smtpd_tls_chain_files, tls_server_sni_maps values): key1, cert1, [chain1], key2, ...
// Stateless; the returned objects are owned by the caller and immutable once built.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "tls/handed_files.hpp"

namespace correio::tls {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertPtr = std::unique_ptr<X509, CertDeleter>;

// One private key, its (leaf) certificate, and the issuer certificates after it.
struct KeyChain {
  KeyPtr key;
  CertPtr leaf;
  std::vector<CertPtr> chain;
};

// Hard limits: a chain file is a few kilobytes; anything far larger is a mistake.
inline constexpr size_t kMaxPemFileSize = 1 << 20;
inline constexpr size_t kMaxPemObjects = 64;

// Postfix's chain layout from PEM text: each key directly followed by its certificate and
// optional issuers. "* PARAMETERS" blocks are skipped; encrypted keys are refused (there is
// nobody to type a passphrase). Errors start with `origin` (a file name, or "FILE, FILE").
Result<std::vector<KeyChain>> parse_key_chains(std::string_view pem, std::string_view origin);

// The files concatenated in order, as Postfix reads smtpd_tls_chain_files; each key must
// match its certificate. Errors name the file. A file in `handed` (the master read it) is
// taken from there, not opened.
Result<std::vector<KeyChain>> read_chain_files(const std::vector<std::string>& files,
                                               const HandedFiles* handed = nullptr);

// The legacy pair: the certificate (then its chain) from cert_file, the first private key
// from key_file; both may be the same file in any order. Errors name the file. `handed`
// as for read_chain_files.
Result<std::vector<KeyChain>> read_cert_and_key(const std::string& cert_file,
                                                const std::string& key_file,
                                                const HandedFiles* handed = nullptr);

}  // namespace correio::tls
