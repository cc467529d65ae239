// The pure parts of DNS block/allow lists (postconf(5) reject_rbl_client and friends):
// "domain=127.0.0.[2..4]" filters, reversed client addresses, and the expansion of
// default_rbl_reply / rbl_reply_maps templates. dns_lists.cpp does the lookups.
// Pure functions; the fuzz target fuzz/restriction_list_fuzz.cpp feeds them too.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace correio::smtpd::access {

struct DnsListSpec {
  std::string domain;  // "zen.example"
  std::string text;    // as written, "zen.example=127.0.0.[2..4]"
  // Per IPv4 octet of an A record, the accepted ranges; empty: any A record counts.
  std::vector<std::vector<std::pair<int, int>>> octets;

  // Whether the A record `address` is a listing under this filter.
  bool matches(std::string_view address) const;
};

// "domain", "domain=d.d.d.d", where each d is a number, "[n..m]" or "[a;b;n..m]"
// (Postfix 3.x). Errors name the problem ("bad filter octet \"[2..\"").
Result<DnsListSpec> parse_dns_list(std::string_view argument);

// The DNS name under which `address` is listed: 4.3.2.1 for 1.2.3.4, nibbles for IPv6;
// "" when `address` is no IP address.
std::string reversed_address(std::string_view address);

// Expands $name, ${name}, ${name?text} and ${name:text} against `vars` (an unknown name
// is empty), as Postfix expands default_rbl_reply.
std::string expand_template(std::string_view text, const std::map<std::string, std::string>& vars);

}  // namespace correio::smtpd::access
