// Mail that would loop back to this host (Postfix's smtp_find_self and smtp_truncate_self):
// when this host is itself one of a domain's MX hosts, only the MX hosts preferred to it
// may get the mail; when it is the best one, or the one host of a domain without MX (or
// of a [host] nexthop), the mail would come straight back. Pure: no I/O.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "dns/mail_exchangers.hpp"
#include "smtp/client_session.hpp"

namespace correio::delivery::smtp_agent {

// Removes from `hosts` this host (an address in `own`) and every MX host not preferred to
// it. An outcome when nothing is left: 5.4.6 "mail for NAME loops back to myself".
std::optional<smtp::Outcome> drop_own_hosts(dns::MailHosts& hosts, const std::set<std::string>& own,
                                            std::string_view name);

// The reply to a server whose EHLO greeting names this host (`own_hostname`), as
// Postfix's smtp_helo(): 5.4.6 when it is the best MX host (or no MX was involved), else
// 4.4.6, so that the mail waits for the better hosts. nullopt when the names differ.
std::optional<smtp::Outcome> ehlo_names_this_host(std::string_view ehlo_host,
                                                  std::string_view own_hostname,
                                                  std::string_view name, bool best_mx);

}  // namespace correio::delivery::smtp_agent
