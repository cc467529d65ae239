// What the autoconfiguration documents tell mail clients: the IMAP, POP3 and submission
// services this installation runs, read from master.cf with each service's -o overrides
// over main.cf, so the documents always match the ports that are really open.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "config/config.hpp"
#include "config/master_cf.hpp"

namespace correio::autoconfig {

enum class Security { kImplicitTls, kStartTls, kNone };

struct MailService {
  std::string protocol;  // "imap", "pop3", "smtp" (submission)
  int port = 0;
  Security security = Security::kNone;
};

// The client-facing services of `services` (inet entries of imapd, pop3d, and smtpd with
// SMTP AUTH enabled: the submission ports, never the MX port 25), best first for each
// protocol: implicit TLS (RFC 8314), then STARTTLS; a plain-text service only when the
// protocol has no TLS one. Ports come from the service name ("127.0.0.1:2143", "imaps").
Result<std::vector<MailService>> client_services(
    const config::Config& main_cf, const std::vector<config::MasterService>& services);

// "SSL", "STARTTLS", "plain": Thunderbird's socketType words.
const char* socket_type(Security security);

}  // namespace correio::autoconfig
