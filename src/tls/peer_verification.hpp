// The SMTP client's judgement of a server certificate (Postfix's smtp_tls_security_level
// "verify" and "secure", TLS_README "Server certificate verification"): the trust store of
// the client context, the per-connection settings put on the SSL object before the
// handshake (SNI, protocols, ciphers), and afterwards whether the chain is trusted and a
// name matches. Pure OpenSSL; knows nothing of main.cf or nexthops
// (delivery/smtp/tls_policy.hpp turns those into a PeerCheck). The functions are
// stateless and thread-safe; the session cache a PeerCheck may name is not.
#pragma once

#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "tls/client_session_cache.hpp"
#include "tls/dane.hpp"
#include "tls/policy.hpp"

namespace correio::tls {

// Where the client finds trusted CA certificates (smtp_tls_CAfile, smtp_tls_CApath). Both
// empty: OpenSSL's default store (/etc/ssl/certs on Debian). Otherwise only these, as
// Postfix does with its default tls_append_default_CA = no.
struct ClientTrust {
  std::string ca_file;
  std::string ca_path;
};

// The one client context of an smtp process: TLS 1.2 and later unless a connection says
// otherwise, the trust store loaded once, no verification failure fatal to the handshake
// (the verdict is taken afterwards, by check_peer, so that every level can log it).
// DANE matches with the matching types of `dane_digests` (tls_dane_digests, dane.hpp).
// Errors name the file and OpenSSL's reason.
Result<std::shared_ptr<asio::ssl::context>> make_client_context(
    const ClientTrust& trust, const std::vector<uint8_t>& dane_digests = {2, 1});

// What one connection asks of TLS.
struct PeerCheck {
  // verify/secure: the chain must be trusted and one of `names` must match.
  bool require_match = false;
  // RFC 6125 reference identifiers: a host name ("mx.example.com", a "*." wildcard in the
  // certificate may match it) or ".example.com" for any sub-domain of example.com
  // (Postfix's dot-nexthop and ".domain" match patterns).
  std::vector<std::string> names;
  std::string sni;      // RFC 6066 server_name; empty: none sent
  ServerPolicy policy;  // protocol range and TLS 1.2 cipher list for this connection
  // Session resumption (smtp_tls_session_cache_timeout): the cache, and the key under
  // which this connection's session is kept (server, SNI, protocols, ciphers).
  ClientSessionCache* sessions = nullptr;
  std::string session_key;
  // DANE (RFC 7672): when it has records, they alone decide whether the server is
  // authenticated (require_match then means "a TLSA record matched"); `names` is unused.
  DaneCheck dane;
};

// Puts `check`'s SNI, protocol range and cipher list on `ssl` before the handshake.
// Errors: an SNI name OpenSSL refuses, a cipher list that selects nothing.
Status prepare_client(SSL* ssl, const PeerCheck& check);

struct PeerVerdict {
  bool trusted = false;  // the chain ends at a trusted CA and is valid now
  bool matched = false;  // trusted, and a name of the check matches the certificate
  // Why not matched, in OpenSSL's words as Postfix logs them: "num=20:unable to get local
  // issuer certificate", "num=62:hostname mismatch"; empty when matched.
  std::string problem;
  bool reused = false;  // the handshake resumed a kept session

  // Postfix's adjective for "... TLS connection established": Verified, Trusted, Untrusted.
  const char* grade() const { return matched ? "Verified" : trusted ? "Trusted" : "Untrusted"; }
};

// After the handshake: the chain verdict OpenSSL computed, then the names of `check`
// against the server certificate (SubjectAltName DNS names, else the CommonName; no
// partial wildcards such as "mx*.example.com", as in Postfix).
PeerVerdict check_peer(SSL* ssl, const PeerCheck& check);

}  // namespace correio::tls
