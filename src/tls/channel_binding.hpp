// TLS channel bindings for SCRAM-*-PLUS and other SASL mechanisms that bind to the TLS
// connection: tls-exporter (RFC 9266) and tls-server-end-point (RFC 5929 §4).
// Stateless; read-only on the SSL object.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>

namespace correio::tls {

// RFC 9266: 32 bytes of SSL_export_keying_material with label "EXPORTER-Channel-Binding"
// and no context. Only defined for TLS 1.3 (RFC 9266 §3): nullopt for older versions,
// where exporter values are not unique without the extended master secret.
std::optional<std::string> tls_exporter_binding(SSL* ssl);

// RFC 5929 §4.1: the hash of our own certificate, with the hash function of its signature
// algorithm, SHA-256 instead of MD5 or SHA-1 (and for signatures without a separate
// digest such as Ed25519). nullopt when no certificate is in use.
std::optional<std::string> tls_server_end_point_binding(SSL* ssl);

// The same hash of the server's certificate as the client sees it (RFC 5929 §4.1; SCRAM
// -PLUS in the SMTP client). nullopt when the server sent none.
std::optional<std::string> peer_end_point_binding(SSL* ssl);

}  // namespace correio::tls
