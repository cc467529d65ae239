// The DNSSEC-dependent lookups of DANE (RFC 7672 §2.2): a host's TLSA records and whether
// its address records are "secure". Correio validates nothing itself: as Postfix does, it
// asks with the DO and AD bits and trusts the AD bit of the configured resolver, which must
// be a local validating resolver (docs/admin-guide.md, "DANE").
#pragma once

#include <asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "dns/lookup.hpp"
#include "dns/message.hpp"

namespace correio::dns {

struct TlsaAnswer {
  // found: TLSA records exist (authentic says whether they are secure); not_found: none
  // (NXDOMAIN or no TLSA records); temporary: the lookup failed (RFC 7672 §2.2: defer).
  Outcome outcome = Outcome::temporary;
  bool authentic = false;
  std::vector<TlsaRecord> records;
  std::string error;
};

// The TLSA records at "_PORT._tcp.HOST" (RFC 6698 §3). A malformed response is temporary.
asio::awaitable<TlsaAnswer> tlsa_of(Lookup& lookup, std::string_view host, unsigned short port);

// What DANE needs of a host's address records (RFC 7672 §2.2.2).
struct HostSecurity {
  // Every address family the client uses has a secure answer (a family without records
  // does not count against it; a failed lookup does).
  bool secure = false;
  // The host name at the end of the answers' CNAME chain (lower case); the host itself
  // when it is no alias.
  std::string expanded;
};

// The address lookups of `host` for DANE: TLSA records are only sought for hosts whose
// address records are secure, first at the CNAME-expanded name (§2.2.2).
asio::awaitable<HostSecurity> address_security(Lookup& lookup, std::string_view host, bool ipv4,
                                               bool ipv6);

}  // namespace correio::dns
