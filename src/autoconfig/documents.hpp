// The documents mail clients fetch to configure themselves, each from the same list of
// services (mail_services.hpp): Thunderbird's autoconfig (config-v1.1.xml), Outlook's
// autodiscover (the POX "outlook" response schema), Apple's .mobileconfig profile, and the
// DNS records (RFC 6186 SRV, RFC 8314 submissions/imaps/pop3s) an administrator publishes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "autoconfig/mail_services.hpp"

namespace correio::autoconfig {

struct Account {
  std::string email;        // "user@example.org"; may be empty (Thunderbird's placeholder)
  std::string domain;       // "example.org"
  std::string server;       // the host name clients connect to (autoconfig_server_name)
  bool login_is_localpart;  // autoconfig_login_name = localpart (system users)
};

std::string thunderbird_config(const Account& account, const std::vector<MailService>& services);
std::string outlook_autodiscover(const Account& account, const std::vector<MailService>& services);
std::string apple_mobileconfig(const Account& account, const std::vector<MailService>& services);
// Zone-file lines for `domain`; `https_port` is the autoconfiguration service's (0: none).
std::string dns_records(const Account& account, const std::vector<MailService>& services,
                        int https_port);

// The address in an autodiscover request body (<EMailAddress>...</EMailAddress>), or "".
std::string autodiscover_request_address(std::string_view body);

// "user@example.org" with a sane local part and domain (letters, digits, ".-_+=" ...);
// what the documents may echo.
bool plausible_address(std::string_view address);

}  // namespace correio::autoconfig
