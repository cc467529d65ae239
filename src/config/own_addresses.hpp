// This host's own network addresses, as Postfix's own_inet_addr_list() and
// proxy_inet_addr_list() know them: those of inet_interfaces ("all": every interface's)
// and of proxy_interfaces (the addresses a NAT or proxy receives mail on for us). The SMTP
// client uses them to find mail that would loop back to this host (smtp_find_self).
#pragma once

#include <set>
#include <string>
#include <vector>

namespace correio::config {

// Every address on this machine's interfaces, in the text form a connection reports
// ("127.0.0.1", "::1"); link-local IPv6 addresses are left out (they need a scope).
std::set<std::string> interface_addresses();

// The addresses of `interfaces` (inet_interfaces' syntax: "all", "loopback-only",
// "localhost", address literals with or without brackets, host names) and of `proxies`
// (proxy_interfaces: addresses or names). A name that does not resolve adds nothing.
std::set<std::string> own_addresses(const std::vector<std::string>& interfaces,
                                    const std::vector<std::string>& proxies);

}  // namespace correio::config
