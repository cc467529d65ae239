// OpenSSL's DANE verification for the SMTP client (see dane.hpp).
#include "tls/dane.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace correio::tls {

Status enable_dane(SSL_CTX* context) {
  if (SSL_CTX_dane_enable(context) <= 0) return Error{"cannot enable DANE in OpenSSL"};
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

std::string dane_match(SSL* ssl) {
  uint8_t usage = 0, selector = 0, mtype = 0;
  if (SSL_get0_dane_authority(ssl, nullptr, nullptr) < 0) return "";
  if (SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, nullptr, nullptr) < 0) return "";
  return fmt::format("{}({}) match", usage == 3 ? "DANE-EE" : "DANE-TA", usage);
}

}  // namespace correio::tls
