// TLSA and address-security lookups for DANE (see dnssec_lookup.hpp).
#include "dns/dnssec_lookup.hpp"

#include <fmt/format.h>

namespace correio::dns {

asio::awaitable<TlsaAnswer> tlsa_of(Lookup& lookup, std::string_view host, unsigned short port) {
  std::string name = fmt::format("_{}._tcp.{}", port, host);
  RawAnswer raw = co_await lookup.query(name, kTypeTlsa);
  TlsaAnswer out;
  out.outcome = raw.outcome;
  out.authentic = raw.authentic;
  out.error = raw.error;
  if (raw.outcome != Outcome::found) co_return out;
  auto records = tlsa_records(raw.message);
  if (!records) {
    out.outcome = Outcome::temporary;
    out.error = "malformed TLSA response: " + records.error().message;
    co_return out;
  }
  out.records = std::move(*records);
  // An answer with only a CNAME chain and no TLSA at its end: no TLSA records.
  if (out.records.empty()) out.outcome = Outcome::not_found;
  co_return out;
}

asio::awaitable<HostSecurity> address_security(Lookup& lookup, std::string_view host, bool ipv4,
                                               bool ipv6) {
  HostSecurity out;
  out.expanded = std::string(host);
  bool any = false, secure = true;
  for (auto [wanted, type] : {std::pair{ipv4, kTypeA}, std::pair{ipv6, kTypeAaaa}}) {
    if (!wanted) continue;
    RawAnswer raw = co_await lookup.query(host, type);
    if (raw.outcome == Outcome::temporary) co_return out;
    // RFC 4035 §3.2.3: AD also covers a validated denial ("no AAAA records").
    secure = secure && raw.authentic;
    any = any || raw.outcome == Outcome::found;
    if (raw.outcome != Outcome::found) continue;
    // The same chain is in either family's answer. One that cannot be read makes the
    // host insecure (no DANE from records we could not follow).
    auto expanded = cname_expansion(raw.message, host);
    if (!expanded) co_return out;
    out.expanded = std::move(*expanded);
  }
  out.secure = secure && any;
  co_return out;
}

}  // namespace correio::dns
