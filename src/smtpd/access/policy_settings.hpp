// check_policy_service's argument: a policy server, or (Postfix 3.0) the server with
// settings of its own in braces, which override smtpd_policy_service_* for that server:
//   check_policy_service { inet:127.0.0.1:9998, timeout=10s, default_action=DUNNO,
//                          policy_context={a text with spaces} }
// Items are separated by commas or white space; a value with spaces goes in braces, or
// the whole setting does: "{ default_action = 450 4.7.1 try later }". Pure
// parsing; fed by main.cf (fuzz/smtpd_access_fuzz.cpp).
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {

struct PolicyService {
  std::string endpoint;  // "inet:host:port", "unix:/path", "unix:private/name", "host:port"
  Restrictions::Options::Policy settings;
};

// `defaults`: the smtpd_policy_service_* values. Errors name the item that is wrong:
// "unknown setting \"timout\"", "timeout: bad time value \"ten\"".
Result<PolicyService> parse_policy_service(std::string_view argument,
                                           const Restrictions::Options::Policy& defaults);

}  // namespace correio::smtpd::access
