// The per-host DANE decision (see dane.hpp), in the order of Postfix's dane_init(): the
// configuration, the MX answer's security, the TLSA lookup, usable records.
#include "delivery/smtp/dane.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

#include "base/strings.hpp"
#include "dns/dnssec_lookup.hpp"

namespace correio::delivery::smtp_agent {
namespace {

using smtp::TlsLevel;

bool is_ip_literal(const std::string& name) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, name.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, name.c_str(), bytes) == 1;
}

std::string_view mode_name(DaneMode mode) {
  return mode == DaneMode::dane ? "dane" : "dane-only";
}

// Postfix's dane_incompat(): at dane the level falls back (to encrypt when TLSA records
// exist but none is usable, else to may); at dane-only the delivery is deferred.
DaneDecision fall_back(const DaneInputs& in, bool unusable, std::string why) {
  DaneDecision d;
  if (in.mode == DaneMode::dane) {
    d.level = unusable ? TlsLevel::encrypt : TlsLevel::may;
    d.note = std::move(why);
  } else {
    d.defer = std::move(why);
  }
  return d;
}

}  // namespace

bool usable_tlsa(const dns::TlsaRecord& r, const std::vector<uint8_t>& digests) {
  if (r.usage != 2 && r.usage != 3) return false;  // RFC 7672 §3.1.3: no PKIX-* in SMTP
  if (r.selector > 1) return false;
  // postconf(5) tls_dane_digests: a digest not listed is not one the client computes.
  if (r.mtype != 0 && std::find(digests.begin(), digests.end(), r.mtype) == digests.end())
    return false;
  switch (r.mtype) {
    case 0:
      return !r.data.empty();
    case 1:
      return r.data.size() == 32;  // SHA2-256
    case 2:
      return r.data.size() == 64;  // SHA2-512
    default:
      return false;
  }
}

asio::awaitable<DaneDecision> dane_for_host(dns::Lookup& lookup, const DaneInputs& in,
                                            const std::string& host) {
  if (!in.dnssec) {
    // The administrator's problem, so a warning: dane falls back to may, dane-only defers
    // with Postfix's "client TLS configuration problem".
    DaneDecision d = fall_back(in, false, "client TLS configuration problem");
    d.warning = fmt::format("{}: {} configured with dnssec lookups disabled", in.nexthop_domain,
                            mode_name(in.mode));
    co_return d;
  }
  // RFC 7672 §2.2.1: an MX host name from an insecure answer may still have secure TLSA
  // records of its own (smtp_tls_dane_insecure_mx_policy = dane), or not count (may).
  bool insecure_mx = in.via_mx && !in.mx_secure;
  if (insecure_mx && (in.insecure_mx == InsecureMxPolicy::may || in.mode == DaneMode::dane_only))
    co_return fall_back(in, false, "non DNSSEC destination");
  // §2.2.2: TLSA records are sought only for a host whose address records are secure
  // (Postfix's smtp_tls_force_insecure_host_tlsa_lookup seeks them anyway).
  if (is_ip_literal(host)) co_return fall_back(in, false, "no TLSA records found");
  dns::HostSecurity security = co_await dns::address_security(lookup, host, in.ipv4, in.ipv6);
  if (!security.secure && !in.force_insecure_host_tlsa)
    co_return fall_back(in, false, "no TLSA records found");
  // §2.2.2: with a secure CNAME chain, the TLSA base domain is the expanded name first,
  // then the original name when the expanded one has no secure TLSA records.
  std::string original = base::to_lower(host);
  std::vector<std::string> bases;
  if (security.secure && security.expanded != original) bases.push_back(security.expanded);
  bases.push_back(original);
  dns::TlsaAnswer tlsa;
  std::string base_domain;
  for (const std::string& candidate : bases) {
    tlsa = co_await dns::tlsa_of(lookup, candidate, in.port);
    if (tlsa.outcome == dns::Outcome::temporary) {
      // §2.2: a failed TLSA lookup could hide a downgrade; defer at every DANE level.
      DaneDecision d;
      d.defer = fmt::format("TLSA lookup error for {}:{}", candidate, in.port);
      co_return d;
    }
    if (tlsa.outcome == dns::Outcome::found && tlsa.authentic) {
      base_domain = candidate;
      break;
    }
  }
  // §2.2: insecure TLSA records are as good as none.
  if (base_domain.empty()) co_return fall_back(in, false, "no TLSA records found");
  DaneDecision d;
  for (const auto& r : tlsa.records)
    if (usable_tlsa(r, in.digests))
      d.check.records.push_back({r.usage, r.selector, r.mtype, r.data});
  // §2.2: records exist but none is usable: still encrypt (Postfix: "TLSA records unusable").
  if (d.check.records.empty()) co_return fall_back(in, true, "TLSA records unusable");
  // §3.2.2: DANE-TA names: the TLSA base domain, the original host name when that was
  // expanded, and the nexthop domain when the MX answer that named the host was secure.
  d.check.names.push_back(base_domain);
  if (base_domain != original) d.check.names.push_back(original);
  std::string nexthop = base::to_lower(in.nexthop_domain);
  if (in.via_mx && in.mx_secure &&
      std::find(d.check.names.begin(), d.check.names.end(), nexthop) == d.check.names.end())
    d.check.names.push_back(nexthop);
  d.level = TlsLevel::verify;
  co_return d;
}

}  // namespace correio::delivery::smtp_agent
