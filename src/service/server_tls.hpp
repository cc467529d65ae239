// A protocol daemon's TLS certificates from main.cf, the same way for smtpd, imapd and
// pop3d: PREFIX_tls_chain_files, else PREFIX_tls_cert_file + PREFIX_tls_key_file, plus the
// shared tls_server_sni_maps and tls_certificate_check_interval (tls/server_certificates.hpp).
#pragma once

#include <memory>
#include <string_view>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "tls/server_certificates.hpp"

namespace correio::service {

// `prefix` is "smtpd", "imapd" or "pop3d". Errors name the file or table that failed; the
// daemon decides whether that is fatal (required TLS) or a warning (opportunistic TLS).
// The result must outlive every TLS handshake: keep it for the daemon's life. `log` too.
Result<std::unique_ptr<tls::ServerCertificates>> open_server_certificates(
    const config::Config& config, std::string_view prefix, base::Logger& log);

}  // namespace correio::service
