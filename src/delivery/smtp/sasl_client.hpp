// The smtp agent's SMTP AUTH settings and credentials (Postfix's smtp_sasl_* parameters,
// SASL_README "Enabling SASL authentication in the Postfix SMTP client"): which mechanisms
// may be used with and without TLS, and which "user:password" of smtp_sasl_password_maps
// a delivery uses — by sender first with smtp_sender_dependent_authentication, then by
// server. Holds no secret longer than a delivery. Not thread-safe (the table is).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "config/config.hpp"
#include "maps/map.hpp"
#include "smtp/client_session.hpp"

namespace correio::delivery::smtp_agent {

struct SaslSettings {
  std::shared_ptr<maps::Map> passwords;  // smtp_sasl_password_maps; null: no AUTH
  smtp::SaslRules plain_rules;           // smtp_sasl_security_options (no TLS)
  smtp::SaslRules tls_rules;             // smtp_sasl_tls_security_options (under TLS)
  bool sender_dependent = false;         // smtp_sender_dependent_authentication
};

// Reads the parameters when smtp_sasl_auth_enable = yes. Errors: an empty or unreadable
// password table, a security option or filter form Correio does not honour (named).
Result<SaslSettings> sasl_settings_from_config(const config::Config& config);

struct Credentials {
  std::string user, password;
};

// Where a delivery looks for credentials, in Postfix's order (smtp_sasl_glue.c): the
// sender ("user@domain", then "@domain") when sender-dependent, then the nexthop as given
// ("[host]:port"), "[host]" for a bracketed nexthop, the server's host name, the nexthop
// host. nullopt: no entry, send without AUTH. Errors: a table failure (defer).
struct CredentialKeys {
  std::string sender;        // the envelope sender, "" for <>
  std::string nexthop_text;  // "[smtp.example]:587"
  std::string nexthop_host;  // "smtp.example"
  bool bracketed = false;    // nexthop "[host]": no MX lookup
  std::string server;        // "smtp.example" (the MX or bracketed host)
};
Result<std::optional<Credentials>> find_credentials(const SaslSettings& settings,
                                                    const CredentialKeys& keys);

}  // namespace correio::delivery::smtp_agent
