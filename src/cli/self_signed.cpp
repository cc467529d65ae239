// Self-signed certificate generation through OpenSSL 3's API, with RAII for every handle.
#include "cli/self_signed.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

namespace correio::cli {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

Error openssl_error(const char* what) {
  return Error{std::string("cannot ") + what};
}

// Writes with PEM_write_* through a FILE* opened with a restrictive mode.
template <typename WriteFn>
Status write_pem(const std::filesystem::path& path, mode_t mode, WriteFn write) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return Error{"cannot create " + tmp.string()};
  std::unique_ptr<FILE, int (*)(FILE*)> file(f, std::fclose);
  if (::fchmod(fileno(f), mode) != 0) return Error{"cannot chmod " + tmp.string()};
  if (!write(f)) return Error{"cannot write " + tmp.string()};
  if (std::fflush(f) != 0) return Error{"cannot write " + tmp.string()};
  file.reset();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Error{"cannot create " + path.string()};
  return {};
}

}  // namespace

Status write_self_signed_certificate(const std::filesystem::path& cert_file,
                                     const std::filesystem::path& key_file,
                                     const std::string& hostname) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("generate an EC key");

  X509Ptr cert(X509_new());
  if (!cert) return openssl_error("allocate a certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return openssl_error("make a serial number");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  if (!bn) return openssl_error("make a serial number");
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  if (X509_set_pubkey(cert.get(), key.get()) != 1) return openssl_error("set the public key");

  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Correio quick start"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::string san = "DNS:" + hostname + ",DNS:localhost,IP:127.0.0.1,IP:::1";
  const std::pair<int, std::string> extensions[] = {
      {NID_subject_alt_name, san},
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
  };
  for (const auto& [nid, value] : extensions) {
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1)
      return openssl_error("add a certificate extension");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return openssl_error("sign");

  Status key_written = write_pem(key_file, 0600, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  if (!key_written) return key_written;
  return write_pem(cert_file, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()) == 1; });
}

}  // namespace correio::cli
