// A protocol daemon's TLS from main.cf, the same way for smtpd, imapd and pop3d: the
// certificates (PREFIX_tls_chain_files, else PREFIX_tls_cert_file + PREFIX_tls_key_file,
// plus the shared tls_server_sni_maps and tls_certificate_check_interval) and the protocol
// and cipher policy (PREFIX_tls_protocols, PREFIX_tls_ciphers, PREFIX_tls_exclude_ciphers
// over tls_high_cipherlist, tls_medium_cipherlist and tls_null_cipherlist).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "service/daemon.hpp"
#include "tls/policy.hpp"
#include "tls/server_certificates.hpp"

namespace correio::service {

// Postfix has two policies per SMTP server: opportunistic (STARTTLS offered, level "may")
// and mandatory (level "encrypt", and every wrapper-mode port, where TLS cannot be
// skipped). imapd and pop3d have one policy each (Dovecot has no such split).
//
// The policy `prefix` ("smtpd", "imapd" or "pop3d") runs under:
//   smtpd, !required: smtpd_tls_protocols, smtpd_tls_ciphers, smtpd_tls_exclude_ciphers
//   smtpd, required: smtpd_tls_mandatory_protocols, smtpd_tls_mandatory_ciphers,
//     smtpd_tls_exclude_ciphers + smtpd_tls_mandatory_exclude_ciphers
//   imapd, pop3d: PREFIX_tls_protocols, PREFIX_tls_ciphers, PREFIX_tls_exclude_ciphers
// Errors name the parameter, where it is set and why it is bad:
// "/etc/correio/main.cf:12: bad smtpd_tls_protocols value \">=TLSv9\": unknown TLS ...".
Result<tls::ServerPolicy> server_tls_policy(const config::Config& config, std::string_view prefix,
                                            bool required);

// The one way a protocol daemon opens its TLS: server_tls_policy(), then the certificates.
// `required`: TLS cannot be skipped on this service (smtpd encrypt, any wrapper mode).
// Errors (the daemon must not start): a bad policy parameter, always (Postfix would run
// without TLS; silently different TLS is worse than no start); certificates that do not
// load when `required`. Certificates that do not load for optional TLS: a warning naming
// the file, and nullptr (no STARTTLS offered). The result must outlive every TLS
// handshake: keep it for the daemon's life. ctx.log too.
// The files come from ctx.tls_files where the master handed them (root-only keys).
Result<std::unique_ptr<tls::ServerCertificates>> open_server_tls(const Context& ctx,
                                                                 std::string_view prefix,
                                                                 bool required);

// imapd's and pop3d's TLS (Dovecot: ssl = yes once a certificate is set): opened when
// PREFIX_tls_cert_file or PREFIX_tls_chain_files is set, required in wrapper mode
// (PREFIX_tls_wrappermode). nullptr: TLS is not configured (no STARTTLS/STLS). Errors as
// open_server_tls(), and wrapper mode without a certificate, naming the parameters.
Result<std::unique_ptr<tls::ServerCertificates>> open_configured_server_tls(
    const Context& ctx, std::string_view prefix);

// For check, start and reload (master::KnownCommands::checks): "error: ..." when the
// policy of a daemon with `prefix` ("smtpd": both, "imapd", "pop3d") cannot be built.
std::vector<std::string> tls_policy_problems(const config::Config& config, std::string_view prefix);

}  // namespace correio::service
