// The smtp agent's DANE decision for one MX host (RFC 7672 §2.2, Postfix's dane_init() in
// TLS_README "dane"): from the nexthop's dane or dane-only policy, the security of the MX
// answer and of the host's address records, and its TLSA records, the TLS level this
// connection gets (verify by TLSA, encrypt, may) or the deferral. DNS through the caller's
// Lookup; OpenSSL does the matching (tls/dane.hpp). Not thread-safe (the Lookup is not).
#pragma once

#include <asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "delivery/smtp/tls_policy.hpp"
#include "dns/lookup.hpp"
#include "dns/message.hpp"
#include "smtp/client_session.hpp"
#include "tls/dane.hpp"

namespace correio::delivery::smtp_agent {

// smtp_tls_dane_insecure_mx_policy (Postfix 3.6): what an MX host found through an
// insecure MX answer gets at level dane.
enum class InsecureMxPolicy { dane, may };

struct DaneInputs {
  DaneMode mode = DaneMode::off;
  bool dnssec = false;     // smtp_dns_support_level = dnssec (and DNS host lookups)
  bool via_mx = false;     // the host came from an MX answer
  bool mx_secure = false;  // ... which the resolver validated (AD)
  InsecureMxPolicy insecure_mx = InsecureMxPolicy::dane;
  std::string nexthop_domain;  // a DANE-TA reference name when the MX answer is secure
  unsigned short port = 25;
  bool ipv4 = true, ipv6 = true;  // inet_protocols: the address records that must be secure
  // smtp_tls_force_insecure_host_tlsa_lookup: seek TLSA records even for a host whose
  // address records are not secure (they still count only when secure themselves).
  bool force_insecure_host_tlsa = false;
  std::vector<uint8_t> digests{2, 1};  // tls_dane_digests as matching types (tls/dane.hpp)
};

struct DaneDecision {
  smtp::TlsLevel level = smtp::TlsLevel::may;  // verify means "a TLSA record must match"
  tls::DaneCheck check;                        // the usable records and names at verify
  std::optional<std::string> defer;            // 4.7.5 text: dane-only unmet, lookup failed
  std::string warning;                         // a configuration problem, to log
  std::string note;                            // why DANE does not apply (smtp_tls_loglevel 1)
};

// The decision for `host` (an MX host name, a bracketed host or an address literal).
asio::awaitable<DaneDecision> dane_for_host(dns::Lookup& lookup, const DaneInputs& in,
                                            const std::string& host);

// RFC 7672 §3.1: DANE-TA(2) and DANE-EE(3) with selectors 0/1 and matching type 0, or a
// digest type among `digests` (tls_dane_digests) with a digest of the right length, are
// usable; PKIX-TA(0)/PKIX-EE(1) are not.
bool usable_tlsa(const dns::TlsaRecord& record, const std::vector<uint8_t>& digests = {2, 1});

}  // namespace correio::delivery::smtp_agent
