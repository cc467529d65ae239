// check_client_access, check_reverse_client_hostname_access, check_helo_access,
// check_sender_access, check_recipient_access and check_etrn_access (postconf(5)), and what their
// tables' results mean (access(5) "ACCEPT ACTIONS", "REJECT ACTIONS", "OTHER ACTIONS").
#include <fmt/format.h>

#include "resolve/content_filter.hpp"
#include "smtpd/access/access_action.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {
namespace {

// The RFC 3463 status of a REJECT or DEFER reply: the table's own code when its text began
// with one, in the reply code's class (as Postfix's smtpd_check_reject() makes them agree),
// else X.7.1.
std::string status_for(int code, const std::string& given) {
  char klass = code >= 500 ? '5' : '4';
  if (given.empty()) return fmt::format("{}.7.1", klass);
  std::string status = given;
  status[0] = klass;
  return status;
}

// What a lookup is about: the "<subject>: Class rejected" of the replies.
struct Subject {
  std::string name;
  std::string_view klass;
};

}  // namespace

asio::awaitable<Verdict> apply_access_result(Evaluation& ev, std::string_view value,
                                             std::string_view subject, std::string_view klass,
                                             std::string_view table) {
  auto parsed = parse_access_action(value);
  if (!parsed)
    co_return ev.configuration_error(fmt::format("{}: {}", table, parsed.error().message));
  const AccessAction& a = *parsed;
  const RestrictionCodes& codes = ev.engine.options().codes;
  auto text_or = [&](std::string_view fallback) {
    return a.text.empty() ? std::string(fallback) : a.text;
  };
  auto triggers = [&](std::string_view action) {
    return fmt::format("<{}>: {} {}", subject, klass,
                       a.text.empty() ? fmt::format("triggers {} action", action) : a.text);
  };
  switch (a.kind) {
    case ActionKind::ok:
      co_return Verdict::permit;
    case ActionKind::dunno:
      co_return Verdict::dunno;
    case ActionKind::reject:
      co_return ev.reject_as(subject, klass, codes.access_map_reject,
                             status_for(codes.access_map_reject, a.enhanced),
                             text_or("Access denied"));
    case ActionKind::defer:
      co_return ev.reject_as(subject, klass, codes.access_map_defer,
                             status_for(codes.access_map_defer, a.enhanced),
                             text_or("Access denied"));
    case ActionKind::defer_if_reject:
    case ActionKind::defer_if_permit: {
      smtp::Reply r(
          codes.access_map_defer, status_for(codes.access_map_defer, a.enhanced),
          fmt::format("<{}>: {} rejected: {}", subject, klass, text_or("Service unavailable")));
      (a.kind == ActionKind::defer_if_reject ? ev.defer_if_reject : ev.defer_if_permit) = r;
      co_return Verdict::dunno;
    }
    case ActionKind::reply: {
      // A 4NN/5NN without an RFC 3463 code gets Postfix's default X.7.1.
      co_return ev.reject_as(subject, klass, a.code, status_for(a.code, a.enhanced),
                             text_or("Access denied"));
    }
    case ActionKind::discard:
      // access(5): claims delivery and discards the message, for all recipients; the
      // rest of the restrictions are not evaluated (Postfix returns OK).
      ev.effects.discard = true;
      ev.log("discard", triggers("DISCARD"));
      co_return Verdict::permit;
    case ActionKind::hold:
      // access(5) HOLD: the message goes to the hold queue when it is committed
      // (cmd_data_checks.cpp); the restrictions go on (Postfix returns DUNNO).
      ev.effects.hold = true;
      ev.log("hold", triggers("HOLD"));
      co_return Verdict::dunno;
    case ActionKind::redirect:
      ev.effects.redirect = a.text;
      ev.log("redirect", fmt::format("<{}>: {} triggers REDIRECT {}", subject, klass, a.text));
      co_return Verdict::dunno;
    case ActionKind::prepend:
      ev.effects.prepend.push_back(a.text);
      co_return Verdict::dunno;
    case ActionKind::warn:
      ev.log("warn", a.text);
      co_return Verdict::dunno;
    case ActionKind::info:
      ev.log("info", a.text);
      co_return Verdict::dunno;
    case ActionKind::filter:
      // access(5) FILTER: overrides content_filter for all recipients; the last one
      // wins. Postfix's smtpd_check answers a FILTER without "transport:destination"
      // as a configuration error.
      if (auto parsed = resolve::parse_content_filter(a.text); !parsed)
        co_return ev.configuration_error(fmt::format("{}: {}", table, parsed.error().message));
      ev.effects.filter = a.text;
      ev.log("filter", fmt::format("<{}>: {} triggers FILTER {}", subject, klass, a.text));
      co_return Verdict::dunno;
    case ActionKind::bcc:
      // access(5) BCC: one copy; "with Postfix 3.0 only the last action will be used".
      ev.effects.bcc = a.text;
      ev.log("bcc", fmt::format("<{}>: {} triggers BCC {}", subject, klass, a.text));
      co_return Verdict::dunno;
    case ActionKind::restrictions: {
      auto outer = ev.nested_subject;
      ev.nested_subject.emplace(std::string(subject), std::string(klass));
      Verdict verdict = co_await ev.engine.run_text(ev, a.text);
      ev.nested_subject = outer;
      co_return verdict;
    }
  }
  co_return Verdict::dunno;
}

asio::awaitable<Verdict> check_access(Evaluation& ev, const Restriction& r) {
  AccessTable* table = ev.engine.table(r.argument);
  if (!table) co_return ev.configuration_error(r.name + ": table " + r.argument + " is not open");
  const Facts& f = ev.facts;
  const Restrictions::Options& o = ev.engine.options();
  AccessTable::Found found = std::optional<TableMatch>();
  Subject subject;
  if (r.name == "check_client_access" || r.name == "check_reverse_client_hostname_access") {
    // Postfix's check_namadr_access: the host name and its parents, then the address
    // and its shorter prefixes.
    std::string_view name = r.name == "check_client_access" ? f.client_name : f.reverse_name;
    subject = {fmt::format("{}[{}]", f.client_name, f.client_address), "Client host"};
    if (name != "unknown") found = table->find_domain(name, o.parent_style);
    if (found && !*found) found = table->find_address(f.client_address);
  } else if (r.name == "check_helo_access") {
    if (f.helo.empty()) co_return Verdict::dunno;
    subject = {std::string(f.helo), "Helo command"};
    found = table->find_domain(f.helo, o.parent_style);
  } else if (r.name == "check_sender_access") {
    if (!f.has_sender) co_return Verdict::dunno;
    subject = {std::string(f.sender), "Sender address"};
    // postconf(5) smtpd_null_access_lookup_key: the null sender's key.
    std::string_view key = f.sender.empty() ? std::string_view(o.null_access_key) : f.sender;
    found = table->find_mail(key, o.recipient_delimiter, o.parent_style);
  } else if (r.name == "check_etrn_access") {
    // postconf(5): "the ETRN domain name or its parent domains" (Postfix's
    // check_domain_access with the ETRN name).
    if (f.etrn_domain.empty()) co_return Verdict::dunno;
    subject = {std::string(f.etrn_domain), "Etrn command"};
    found = table->find_domain(f.etrn_domain, o.parent_style);
  } else {
    if (f.recipient.empty()) co_return Verdict::dunno;
    subject = {std::string(f.recipient), "Recipient address"};
    found = table->find_mail(f.recipient, o.recipient_delimiter, o.parent_style);
  }
  if (!found)
    co_return ev.lookup_failure(
        subject.name, fmt::format("{} lookup error for {}: {}", table->spec(), subject.name,
                                  found.error().message));
  if (!*found) co_return Verdict::dunno;
  const std::string value = (*found)->value;
  const std::string spec = table->spec();
  co_return co_await apply_access_result(ev, value, subject.name, subject.klass, spec);
}

}  // namespace correio::smtpd::access
