// The DNS existence tests (postconf(5)): reject_unknown_helo_hostname (no A, AAAA or MX
// record), reject_unknown_sender_domain and reject_unknown_recipient_domain (no MX and no
// address record, or an RFC 7505 null MX), for domains that are not ours.
#include <fmt/format.h>
#include <sys/socket.h>

#include "base/strings.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {
namespace {

enum class Existence { exists, unknown, null_mx, temporary };

asio::awaitable<Existence> domain_existence(dns::Lookup& lookup, std::string domain) {
  dns::MxAnswer mx = co_await lookup.mx_of(domain);
  if (mx.outcome == dns::Outcome::temporary) co_return Existence::temporary;
  if (mx.outcome == dns::Outcome::found) {
    // RFC 7505 §3: a single MX record with the root name: the domain takes no mail.
    if (mx.records.size() == 1 && mx.records.front().host.empty()) co_return Existence::null_mx;
    co_return Existence::exists;
  }
  if (mx.no_such_domain) co_return Existence::unknown;
  bool temporary = false;
  for (int family : {AF_INET, AF_INET6}) {
    dns::Answer a = co_await lookup.addresses_of(domain, family);
    if (a.outcome == dns::Outcome::found) co_return Existence::exists;
    temporary = temporary || a.outcome == dns::Outcome::temporary;
  }
  co_return temporary ? Existence::temporary : Existence::unknown;
}

}  // namespace

asio::awaitable<Verdict> check_unknown_domain(Evaluation& ev, const Restriction& r) {
  const Facts& f = ev.facts;
  const RestrictionCodes& codes = ev.engine.options().codes;
  bool helo = r.name == "reject_unknown_helo_hostname" || r.name == "reject_unknown_hostname";
  bool sender = r.name == "reject_unknown_sender_domain";
  std::string_view subject = helo ? f.helo : sender ? f.sender : f.recipient;
  std::string_view domain = subject;
  if (!helo) {
    size_t at = subject.rfind('@');
    domain = at == std::string_view::npos ? std::string_view() : subject.substr(at + 1);
  }
  if (domain.empty() || domain.starts_with('[')) co_return Verdict::dunno;
  // Our own domains are not looked up (Postfix skips local and virtual destinations).
  if (!helo) {
    auto ours = ev.engine.local_or_relay_domain(subject, f.sender);
    if (ours && *ours) co_return Verdict::dunno;
  }
  std::shared_ptr<dns::Lookup> lookup = co_await dns_lookup(ev);
  if (!lookup) co_return Verdict::dunno;
  std::string name = base::to_lower(domain);
  Existence found = co_await domain_existence(*lookup, name);
  if (found == Existence::exists) co_return Verdict::dunno;
  if (helo) {
    // A null MX says nothing about a host name's existence.
    if (found == Existence::null_mx) co_return Verdict::dunno;
    int code = found == Existence::temporary ? 450 : codes.unknown_hostname_reject;
    co_return ev.reject_as(subject, "Helo command", code, fmt::format("{}.7.1", code / 100),
                           "Host not found");
  }
  std::string_view klass = sender ? "Sender address" : "Recipient address";
  if (found == Existence::null_mx) {
    // Postfix: 550 5.7.27 (sender) / 556 5.1.10 (recipient), RFC 7505 §4.
    int code = sender ? 550 : 556;
    co_return ev.reject_as(subject, klass, code, sender ? "5.7.27" : "5.1.10",
                           fmt::format("Domain {} does not accept mail (nullMX)", name));
  }
  std::string dsn = sender ? "1.8" : "1.2";
  if (found == Existence::temporary) {
    // unknown_address_tempfail_action (Postfix: defer_if_permit): decided later.
    ev.defer_if_permit = smtp::Reply(
        450, "4." + dsn, fmt::format("<{}>: {} rejected: Domain not found", subject, klass));
    co_return Verdict::dunno;
  }
  int code = codes.unknown_address_reject;
  co_return ev.reject_as(subject, klass, code, fmt::format("{}.{}", code / 100, dsn),
                         "Domain not found");
}

}  // namespace correio::smtpd::access
