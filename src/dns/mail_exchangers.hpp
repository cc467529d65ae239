// Where mail for a domain goes (RFC 5321 §5.1): its MX hosts by preference, in random
// order among equal preferences, or the domain itself when it has no MX records; a null
// MX (RFC 7505) refuses all mail. Each host comes with its addresses in the families
// inet_protocols allows. Used by the smtp delivery agent; no mail knowledge beyond §5.1.
#pragma once

#include <asio/awaitable.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dns/lookup.hpp"
#include "dns/native_lookup.hpp"

namespace correio::dns {

struct MailHost {
  std::string name;                    // "mx1.example.com"
  std::vector<std::string> addresses;  // textual, IPv4 before IPv6
  int preference = 0;                  // the MX preference; 0 without MX records
};

struct MailHosts {
  // found: `hosts` is not empty. temporary: try again later (4.4.3). not_found: a
  // permanent failure (5.4.4 no such domain or host, 5.1.0 null MX, as Postfix's smtp(8)).
  Outcome outcome = Outcome::temporary;
  std::string dsn;     // for the failures: "4.4.3", "5.4.4", "5.1.0"
  std::string reason;  // Postfix's words: "Host or domain name not found. Name service ..."
  std::vector<MailHost> hosts;  // in the order to try
  bool via_mx = false;          // the hosts are MX hosts (not the name itself)
  bool mx_secure = false;       // ... from an MX answer the resolver validated (DANE, RFC 7672)
};

struct HostLookupOptions {
  bool use_mx = true;  // false: `name` is a host ("[host]" nexthop, disable_dns_lookups)
  bool ipv4 = true;    // inet_protocols
  bool ipv6 = true;
  // smtp_host_lookup: "dns" (dns), "native" (native set, dns false: no MX lookup either,
  // as Postfix), "dns, native" (both: the system's naming service when DNS has no
  // address for a host).
  bool dns = true;
  NativeLookup* native = nullptr;
};

// The hosts to try for `name`. An IP address literal is its own single host.
asio::awaitable<MailHosts> mail_hosts(Lookup& lookup, std::string_view name,
                                      const HostLookupOptions& options, std::mt19937& random);

// RFC 5321 §5.1 ordering, apart from the lookups: lowest preference first, shuffled among
// equal preferences. Exposed for tests.
void order_by_preference(std::vector<MxRecord>& records, std::mt19937& random);

}  // namespace correio::dns
