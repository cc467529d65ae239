// DANE TLSA authentication of a TLS server (RFC 6698, RFC 7672 §3) with OpenSSL's own DANE
// support (SSL_dane_enable, SSL_dane_tlsa_add): the records and reference names put on an
// SSL object before the handshake, and the verdict read afterwards. Knows nothing of DNS;
// the caller brings records that came from a secure TLSA lookup. Stateless, thread-safe.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::tls {

struct DaneRecord {
  uint8_t usage = 0;  // 2 DANE-TA or 3 DANE-EE: the only usages RFC 7672 §3.1 lets SMTP use
  uint8_t selector = 0;
  uint8_t mtype = 0;
  std::vector<unsigned char> data;
};

struct DaneCheck {
  std::vector<DaneRecord> records;  // empty: no DANE on this connection
  // Reference names for DANE-TA(2) (RFC 7672 §3.2.2); the first is the TLSA base domain.
  // DANE-EE(3) matches the key alone, names are not checked (§3.1.1).
  std::vector<std::string> names;
};

// postconf(5) tls_dane_digests ("sha512 sha256"): the digests the client computes for
// TLSA matching types 1 (sha256) and 2 (sha512), most preferred first, as matching types.
// "name=number" must give the name's own number. Errors: another digest or number (OpenSSL's
// DANE knows no others), a duplicate, an empty list.
Result<std::vector<uint8_t>> parse_dane_digests(std::string_view list);

// Once per client context: OpenSSL's DANE tables with the matching types of `digests`
// (parse_dane_digests; RFC 7671 §9 digest agility: where records of one usage and selector
// come with several digests, only the most preferred is used), and no name checks for
// DANE-EE(3) as RFC 7672 §3.1.1 says.
Status enable_dane(SSL_CTX* context, const std::vector<uint8_t>& digests = {2, 1});

// A digest of `check`'s records and names, for the TLS session cache key of a DANE
// connection: a session is resumed only under the very records that verified it (as
// Postfix keys its cache with the TLSA RRset).
std::string dane_session_key(const DaneCheck& check);

// Before the handshake: DANE verification with `check`'s records and names. A record that
// OpenSSL cannot use (a digest of the wrong length, data that does not parse) is skipped;
// none usable is an error (the caller treats it as a handshake failure).
Status apply_dane(SSL* ssl, const DaneCheck& check);

// After the handshake: whether a TLSA record authenticated the chain, and which
// ("DANE-EE(3) match" / "DANE-TA(2) match"); empty when none did.
std::string dane_match(SSL* ssl);

}  // namespace correio::tls
