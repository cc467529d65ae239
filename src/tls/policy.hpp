// The protocol and cipher policy of a TLS server, in Postfix's vocabulary: protocol lists
// such as ">=TLSv1.2", "<=TLSv1.3", "!SSLv2, !SSLv3" or "TLSv1.2 TLSv1.3", and cipher
// grades (high, medium, null) turned into one OpenSSL cipher list with exclusions appended.
// Pure parsing plus one function that applies the result to an SSL_CTX; knows nothing of
// main.cf (service/server_tls.hpp reads the parameters).
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::tls {

// The protocols a server accepts, one bit per TLS version (SSLv2 and SSLv3 are parsed for
// Postfix compatibility but never enabled: OpenSSL 3 cannot speak them).
class ProtocolSet {
 public:
  enum Version : unsigned {
    kTls1 = 1u << 0,
    kTls1_1 = 1u << 1,
    kTls1_2 = 1u << 2,
    kTls1_3 = 1u << 3
  };
  static constexpr unsigned kAll = kTls1 | kTls1_1 | kTls1_2 | kTls1_3;

  constexpr ProtocolSet() = default;
  constexpr explicit ProtocolSet(unsigned bits) : bits_(bits & kAll) {}
  constexpr unsigned bits() const { return bits_; }
  constexpr bool contains(Version v) const { return (bits_ & v) != 0; }
  bool operator==(const ProtocolSet&) const = default;

  // The lowest and highest enabled version as OpenSSL's TLS1_x_VERSION, 0 when empty.
  int min_version() const;
  int max_version() const;
  // "TLSv1.2 TLSv1.3": for log lines and test messages.
  std::string describe() const;

 private:
  unsigned bits_ = kTls1_2 | kTls1_3;
};

// Postfix's protocol list syntax (postconf(5) smtpd_tls_protocols): tokens separated by
// spaces, commas or colons; "NAME" includes, "!NAME" excludes, ">=NAME" sets the floor and
// "<=NAME" the ceiling. With any inclusion, only the included protocols are candidates.
// Names: SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, spelled exactly so (Postfix
// compares them case-sensitively). Empty: all.
// Errors: an unknown name ("unknown TLS protocol \"TLSv9\"") or nothing left enabled.
Result<ProtocolSet> parse_protocols(std::string_view value);

// The OpenSSL cipher lists behind Postfix's grades (tls_high_cipherlist, ...).
struct CipherLists {
  std::string high;
  std::string medium;
  std::string null;
};

// Postfix's tls_set_ciphers(): the list of `grade` ("high", "medium", "low", "export" or
// "null", lower case as in Postfix) with ":!X" appended for each word of `exclude` (separated by
// spaces, commas or colons). OpenSSL 3 has no LOW or EXPORT suites, so "low" and "export"
// select what "medium" does. Errors: an unknown grade, or an exclusion starting with one of
// OpenSSL's operators "!+-@" (Postfix refuses those too). Whether OpenSSL accepts the
// result is checked by apply_policy().
Result<std::string> cipher_list(std::string_view grade, std::string_view exclude,
                                const CipherLists& lists);

// What one server context enforces. The default is Correio's own when no configuration
// is given (unit tests, tools): TLS 1.2 and 1.3 with forward-secret AEAD suites only.
struct ServerPolicy {
  ProtocolSet protocols;
  // For TLS 1.2 and older (SSL_CTX_set_cipher_list). TLS 1.3 suites keep OpenSSL's
  // defaults, as in Postfix.
  std::string cipher_list =
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
};

// Sets the protocol range (with SSL_OP_NO_* for gaps) and the cipher list on `ctx`.
// Error: OpenSSL selects no cipher from the list ("no cipher matches \"FOO\"").
Status apply_policy(SSL_CTX* ctx, const ServerPolicy& policy);
// The same for one connection (the SMTP client's per-destination protocols and ciphers).
Status apply_policy(SSL* ssl, const ServerPolicy& policy);

}  // namespace correio::tls
