// Private keys and certificate chains from PEM text and files (see key_chain.hpp).
#include "tls/key_chain.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <variant>

namespace correio::tls {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// One PEM block decoded: a key or a certificate.
using PemObject = std::variant<KeyPtr, CertPtr>;

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// Keys never come with a passphrase: refuse instead of prompting on the terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A private key block handed back to OpenSSL's PEM reader, which knows every key format
// (PKCS#8, traditional RSA/EC) and refuses encrypted ones through no_passphrase.
Result<KeyPtr> decode_key(const char* name, const char* header, const unsigned char* data,
                          long length, std::string_view origin) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio(bio.get(), name, header, data, length) <= 0)
    return Error{fmt::format("{}: {}", origin, openssl_reason())};
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key)
    return Error{
        fmt::format("{}: cannot decode the private key ({}; encrypted keys are not "
                    "supported)",
                    origin, openssl_reason())};
  return key;
}

Result<CertPtr> decode_certificate(const unsigned char* data, long length,
                                   std::string_view origin) {
  const unsigned char* p = data;
  CertPtr cert(d2i_X509(nullptr, &p, length));
  if (!cert || p != data + length)
    return Error{fmt::format("{}: cannot decode a certificate: {}", origin, openssl_reason())};
  return cert;
}

// Every key and certificate block of `pem`, in order.
Result<std::vector<PemObject>> parse_objects(std::string_view pem, std::string_view origin) {
  if (pem.size() > kMaxPemFileSize) return Error{fmt::format("{}: file too large", origin)};
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Error{fmt::format("{}: {}", origin, openssl_reason())};
  std::vector<PemObject> objects;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long length = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1) {
      unsigned long code = ERR_peek_last_error();
      // "no start line" after the last block is the normal end of the text.
      if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        break;
      }
      return Error{fmt::format("{}: malformed PEM: {}", origin, openssl_reason())};
    }
    auto free_all = [&] {
      OPENSSL_free(name);
      OPENSSL_free(header);
      OPENSSL_free(data);
    };
    std::string_view kind(name);
    Result<PemObject> object = Error{""};
    bool skip = false;
    if (kind == "CERTIFICATE") {
      auto cert = decode_certificate(data, length, origin);
      if (cert)
        object = PemObject(std::move(*cert));
      else
        object = cert.error();
    } else if (ends_with(kind, "PRIVATE KEY")) {
      auto key = decode_key(name, header, data, length, origin);
      if (key)
        object = PemObject(std::move(*key));
      else
        object = key.error();
    } else if (ends_with(kind, "PARAMETERS")) {
      skip = true;  // e.g. "EC PARAMETERS" before an EC key, as `openssl ecparam` writes
    } else {
      object = Error{fmt::format("{}: unexpected PEM block \"{}\"", origin, kind)};
    }
    free_all();
    if (skip) continue;
    if (!object) return object.error();
    if (objects.size() == kMaxPemObjects)
      return Error{fmt::format("{}: more than {} PEM blocks", origin, kMaxPemObjects)};
    objects.push_back(std::move(*object));
  }
  return objects;
}

// Postfix's rule: key, its certificate, then issuers until the next key.
Result<std::vector<KeyChain>> assemble(std::vector<PemObject> objects, std::string_view origin) {
  std::vector<KeyChain> chains;
  KeyPtr pending_key;
  for (auto& object : objects) {
    if (auto* key = std::get_if<KeyPtr>(&object)) {
      if (pending_key)
        return Error{fmt::format("{}: private key not followed by its certificate", origin)};
      pending_key = std::move(*key);
      continue;
    }
    auto& cert = std::get<CertPtr>(object);
    if (pending_key) {
      if (X509_check_private_key(cert.get(), pending_key.get()) != 1) {
        ERR_clear_error();
        return Error{
            fmt::format("{}: private key does not match the certificate after it", origin)};
      }
      chains.push_back(KeyChain{std::move(pending_key), std::move(cert), {}});
    } else if (chains.empty()) {
      return Error{
          fmt::format("{}: certificate before any private key (the key must come "
                      "first)",
                      origin)};
    } else {
      chains.back().chain.push_back(std::move(cert));
    }
  }
  if (pending_key)
    return Error{fmt::format("{}: private key not followed by its certificate", origin)};
  if (chains.empty()) return Error{fmt::format("{}: no private key and certificate", origin)};
  return chains;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxPemFileSize) return Error{fmt::format("{}: file too large", path)};
  }
  if (in.bad()) return Error{fmt::format("cannot read {}", path)};
  return text;
}

Result<std::vector<PemObject>> read_objects(const std::string& path, const HandedFiles* handed) {
  if (const std::string* given = handed ? handed->find(path) : nullptr)
    return parse_objects(*given, path);
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_objects(*text, path);
}

}  // namespace

Result<std::vector<KeyChain>> parse_key_chains(std::string_view pem, std::string_view origin) {
  auto objects = parse_objects(pem, origin);
  if (!objects) return objects.error();
  return assemble(std::move(*objects), origin);
}

Result<std::vector<KeyChain>> read_chain_files(const std::vector<std::string>& files,
                                               const HandedFiles* handed) {
  std::vector<PemObject> all;
  for (const auto& file : files) {
    auto objects = read_objects(file, handed);
    if (!objects) return objects.error();
    for (auto& object : *objects) all.push_back(std::move(object));
  }
  return assemble(std::move(all), fmt::format("{}", fmt::join(files, ", ")));
}

Result<std::vector<KeyChain>> read_cert_and_key(const std::string& cert_file,
                                                const std::string& key_file,
                                                const HandedFiles* handed) {
  auto certs = read_objects(cert_file, handed);
  if (!certs) return certs.error();
  KeyChain result;
  for (auto& object : *certs) {
    if (auto* cert = std::get_if<CertPtr>(&object)) {
      if (!result.leaf)
        result.leaf = std::move(*cert);
      else
        result.chain.push_back(std::move(*cert));
    }
  }
  // key_file defaults to cert_file (Postfix): then the key is in the same file.
  auto keys = key_file == cert_file ? std::move(certs) : read_objects(key_file, handed);
  if (!keys) return keys.error();
  for (auto& object : *keys) {
    if (auto* key = std::get_if<KeyPtr>(&object); key && !result.key) result.key = std::move(*key);
  }
  if (!result.leaf) return Error{fmt::format("{}: no certificate", cert_file)};
  if (!result.key) return Error{fmt::format("{}: no private key", key_file)};
  if (X509_check_private_key(result.leaf.get(), result.key.get()) != 1) {
    ERR_clear_error();
    return Error{fmt::format("key {} does not match certificate {}", key_file, cert_file)};
  }
  std::vector<KeyChain> chains;
  chains.push_back(std::move(result));
  return chains;
}

}  // namespace correio::tls
