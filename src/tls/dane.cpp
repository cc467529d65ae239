// OpenSSL's DANE verification for the SMTP client (see dane.hpp).
#include "tls/dane.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "base/strings.hpp"

namespace correio::tls {

Result<std::vector<uint8_t>> parse_dane_digests(std::string_view list) {
  std::vector<uint8_t> out;
  for (const std::string& word : base::split_any(list, " \t,")) {
    std::string item = base::to_lower(word);
    std::string number;
    if (auto eq = item.find('='); eq != std::string::npos) {
      number = item.substr(eq + 1);
      item.resize(eq);
    }
    uint8_t mtype = item == "sha256" ? 1 : item == "sha512" ? 2 : 0;
    if (mtype == 0)
      return Error{
          fmt::format("tls_dane_digests: unsupported digest \"{}\" (sha256, sha512)", word)};
    if (!number.empty() && number != std::to_string(mtype))
      return Error{
          fmt::format("tls_dane_digests: \"{}\": {} is TLSA matching type {}", word, item, mtype)};
    if (std::find(out.begin(), out.end(), mtype) != out.end())
      return Error{fmt::format("tls_dane_digests: duplicate digest \"{}\"", item)};
    out.push_back(mtype);
  }
  if (out.empty()) return Error{"tls_dane_digests: no digest"};
  return out;
}

Status enable_dane(SSL_CTX* context, const std::vector<uint8_t>& digests) {
  if (SSL_CTX_dane_enable(context) <= 0) return Error{"cannot enable DANE in OpenSSL"};
  // SSL_CTX_dane_mtype_set: a higher ordinal is preferred; a null digest disables the type.
  for (uint8_t mtype : {uint8_t{1}, uint8_t{2}}) {
    auto at = std::find(digests.begin(), digests.end(), mtype);
    const EVP_MD* md = at == digests.end() ? nullptr : mtype == 1 ? EVP_sha256() : EVP_sha512();
    uint8_t ordinal = at == digests.end() ? 0 : static_cast<uint8_t>(digests.end() - at);
    if (SSL_CTX_dane_mtype_set(context, md, mtype, ordinal) <= 0)
      return Error{fmt::format("cannot set DANE matching type {} in OpenSSL", mtype)};
  }
  // RFC 7672 §3.1.1: with DANE-EE(3) the certificate's names are not checked.
  SSL_CTX_dane_set_flags(context, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
  return {};
}

Status apply_dane(SSL* ssl, const DaneCheck& check) {
  ERR_clear_error();
  const char* base = check.names.empty() ? nullptr : check.names.front().c_str();
  if (SSL_dane_enable(ssl, base) <= 0) return Error{"cannot enable DANE on the connection"};
  // RFC 7672 §3.2.2: with DANE-TA(2), any of the reference names may match.
  for (size_t i = 1; i < check.names.size(); ++i)
    if (SSL_add1_host(ssl, check.names[i].c_str()) != 1)
      return Error{fmt::format("cannot add DANE reference name \"{}\"", check.names[i])};
  int usable = 0;
  for (const auto& r : check.records) {
    int added = SSL_dane_tlsa_add(ssl, r.usage, r.selector, r.mtype, r.data.data(), r.data.size());
    if (added > 0) ++usable;
  }
  ERR_clear_error();  // rejected records leave OpenSSL errors behind
  if (usable == 0) return Error{"no usable TLSA record"};
  return {};
}

std::string dane_session_key(const DaneCheck& check) {
  // Length-prefixed fields, so that no two record sets give the same bytes.
  std::string bytes;
  for (const auto& r : check.records) {
    bytes += fmt::format("{} {} {} {}:", r.usage, r.selector, r.mtype, r.data.size());
    bytes.append(r.data.begin(), r.data.end());
  }
  for (const auto& name : check.names) bytes += fmt::format("{}:{}", name.size(), name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    return "dane:" + bytes;  // no digest: the bytes themselves still key exactly
  std::string key = "dane:";
  for (unsigned int i = 0; i < length; ++i) key += fmt::format("{:02x}", digest[i]);
  return key;
}

std::string dane_match(SSL* ssl) {
  uint8_t usage = 0, selector = 0, mtype = 0;
  if (SSL_get0_dane_authority(ssl, nullptr, nullptr) < 0) return "";
  if (SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, nullptr, nullptr) < 0) return "";
  return fmt::format("{}({}) match", usage == 3 ? "DANE-EE" : "DANE-TA", usage);
}

}  // namespace correio::tls
