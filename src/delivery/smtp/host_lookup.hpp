// smtp_host_lookup (lmtp_host_lookup in LMTP mode): where the SMTP client finds a
// server's addresses, "dns", "native" or both in that order (postconf(5)).
#pragma once

#include <utility>

#include "base/result.hpp"
#include "config/config.hpp"

namespace correio::delivery::smtp_agent {

// {use DNS, use the native naming service}. With disable_dns_lookups (`dns_allowed`
// false) the answer is native only, whatever the setting, as Postfix does. An unknown
// word is an error naming the file and line.
Result<std::pair<bool, bool>> host_lookup_from_config(const config::Config& config,
                                                      bool dns_allowed);

}  // namespace correio::delivery::smtp_agent
