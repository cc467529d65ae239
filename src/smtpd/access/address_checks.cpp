// Tests of names and addresses (postconf(5)): reject_non_fqdn_*, reject_invalid_helo_hostname,
// reject_unknown_client_hostname, reject_unknown_reverse_client_hostname, reject_unlisted_*
// and the DNS existence tests reject_unknown_{helo_hostname,sender_domain,recipient_domain},
// with Postfix's reply codes, enhanced status codes and texts.
#include <fmt/format.h>
#include <sys/socket.h>

#include "base/strings.hpp"
#include "dns/name_checks.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/recipient_check.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {
namespace {

// Postfix's "fully-qualified domain form": user@domain.tld (a domain literal counts).
bool fqdn_address(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view domain = address.substr(at + 1);
  if (domain.starts_with('[')) return domain.ends_with(']');
  return domain.find('.') != std::string_view::npos && !domain.ends_with('.') &&
         !domain.starts_with('.');
}

bool fqdn_hostname(std::string_view name) {
  if (name.starts_with('[')) return name.ends_with(']');
  return name.find('.') != std::string_view::npos && !name.ends_with('.');
}

// RFC 5321 §4.1.3 address literal "[1.2.3.4]" / "[IPv6:...]".
bool address_literal(std::string_view name) {
  if (name.size() < 3 || name.front() != '[' || name.back() != ']') return false;
  std::string_view inner = name.substr(1, name.size() - 2);
  if (base::iequals(inner.substr(0, std::min<size_t>(5, inner.size())), "ipv6:"))
    return dns::address_family(inner.substr(5)) == AF_INET6;
  return dns::address_family(inner) == AF_INET;
}

// A reply class letter: 4 or 5 as the code says.
char klass(int code) {
  return code < 500 ? '4' : '5';
}

}  // namespace

Verdict check_non_fqdn(Evaluation& ev, const Restriction& r) {
  const Facts& f = ev.facts;
  int code = ev.engine.options().codes.non_fqdn_reject;
  std::string dsn = fmt::format("{}.5.2", klass(code));
  if (r.name == "reject_non_fqdn_sender") {
    if (!f.has_sender || f.sender.empty() || fqdn_address(f.sender)) return Verdict::dunno;
    return ev.reject_as(f.sender, "Sender address", code, dsn, "need fully-qualified address");
  }
  if (r.name == "reject_non_fqdn_recipient") {
    if (f.recipient.empty() || fqdn_address(f.recipient)) return Verdict::dunno;
    return ev.reject_as(f.recipient, "Recipient address", code, dsn,
                        "need fully-qualified address");
  }
  if (f.helo.empty() || fqdn_hostname(f.helo)) return Verdict::dunno;
  return ev.reject_as(f.helo, "Helo command", code, dsn, "need fully-qualified hostname");
}

Verdict check_invalid_helo_hostname(Evaluation& ev, const Restriction&) {
  std::string_view helo = ev.facts.helo;
  if (helo.empty() || address_literal(helo) || dns::valid_hostname(helo)) return Verdict::dunno;
  int code = ev.engine.options().codes.invalid_hostname_reject;
  return ev.reject_as(helo, "Helo command", code, fmt::format("{}.5.2", klass(code)),
                      "Invalid name");
}

Verdict check_unknown_client_hostname(Evaluation& ev, const Restriction&) {
  if (!base::iequals(ev.facts.client_name, "unknown")) return Verdict::dunno;
  int code = ev.engine.options().codes.unknown_client_reject;
  return ev.reject(code, fmt::format("{}.7.25", klass(code)),
                   fmt::format("Client host rejected: cannot find your hostname, [{}]",
                               ev.facts.client_address));
}

Verdict check_unknown_reverse_client_hostname(Evaluation& ev, const Restriction&) {
  if (!base::iequals(ev.facts.reverse_name, "unknown")) return Verdict::dunno;
  int code = ev.engine.options().codes.unknown_client_reject;
  return ev.reject(code, fmt::format("{}.7.25", klass(code)),
                   fmt::format("Client host rejected: cannot find your reverse hostname, [{}]",
                               ev.facts.client_address));
}

// reject_unlisted_sender/recipient: the address is in a domain we serve and no table
// knows it; the sender's reply is the recipient's with Postfix's "Sender address" words.
Verdict check_unlisted(Evaluation& ev, const Restriction& r) {
  RecipientCheck* recipients = ev.engine.options().recipients;
  bool sender = r.name == "reject_unlisted_sender";
  // RecipientCheck drops a trailing dot itself and names the address as given.
  std::string_view address = sender ? ev.facts.sender : ev.facts.shown_recipient();
  if (!recipients || address.empty()) return Verdict::dunno;
  std::optional<smtp::Reply> refused = recipients->check(address, ev.facts.sender);
  if (!refused) return Verdict::dunno;
  std::string text = refused->lines.front();
  std::string enhanced = refused->enhanced;
  if (sender) {
    if (auto at = text.find("Recipient address"); at != std::string::npos)
      text.replace(at, 9, "Sender");
    if (enhanced.size() == 5 && enhanced.ends_with(".1.1")) enhanced[4] = '0';  // X.1.0
  }
  return ev.reject(refused->code, enhanced, text);
}

}  // namespace correio::smtpd::access
