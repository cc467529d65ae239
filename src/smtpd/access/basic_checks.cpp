// postconf(5)'s generic restrictions and the client/relay permits: permit, reject, defer,
// defer_if_permit, defer_if_reject, warn_if_reject, sleep, reject_unauth_pipelining,
// permit_mynetworks, permit_sasl_authenticated and the relay tests.
#include <fmt/format.h>

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "base/strings.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {

Verdict check_permit(Evaluation&, const Restriction&) {
  return Verdict::permit;
}

Verdict check_reject(Evaluation& ev, const Restriction&) {
  return ev.reject_as(ev.subject(), ev.subject_class(), ev.engine.options().codes.reject, "5.7.1",
                      "Access denied");
}

Verdict check_defer(Evaluation& ev, const Restriction&) {
  return ev.reject_as(ev.subject(), ev.subject_class(), ev.engine.options().codes.defer, "4.3.2",
                      "Try again later");
}

// postconf(5): "Defer the request if some later restriction would result in an explicit
// or implicit PERMIT action" / "... in a REJECT action".
Verdict check_defer_if_permit(Evaluation& ev, const Restriction&) {
  ev.defer_if_permit = smtp::Reply(ev.engine.options().codes.defer, "4.7.1",
                                   fmt::format("<{}>: {} rejected: defer_if_permit requested",
                                               ev.subject(), ev.subject_class()));
  return Verdict::dunno;
}

Verdict check_defer_if_reject(Evaluation& ev, const Restriction&) {
  ev.defer_if_reject = smtp::Reply(ev.engine.options().codes.defer, "4.7.1",
                                   fmt::format("<{}>: {} rejected: defer_if_reject requested",
                                               ev.subject(), ev.subject_class()));
  return Verdict::dunno;
}

Verdict check_warn_if_reject(Evaluation& ev, const Restriction&) {
  ev.warn_if_reject = ev.depth;
  return Verdict::dunno;
}

// Postfix: commands sent ahead of time where RFC 2920 does not allow it, or by a client
// that did not see PIPELINING in an EHLO reply.
Verdict check_unauth_pipelining(Evaluation& ev, const Restriction&) {
  if (!ev.facts.pipelined) return Verdict::dunno;
  return ev.reject_as(ev.subject(), ev.subject_class(),
                      ev.engine.options().codes.unauth_pipelining_reject, "5.5.0",
                      "Improper use of SMTP command pipelining");
}

asio::awaitable<Verdict> check_sleep(Evaluation& ev, const Restriction& r) {
  auto seconds = base::parse_int(r.argument);
  if (!seconds || *seconds < 0 || *seconds > 3600)
    co_return ev.configuration_error("sleep: bad time value \"" + r.argument + "\"");
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::seconds(*seconds));
  co_await timer.async_wait(asio::use_awaitable);
  co_return Verdict::dunno;
}

Verdict check_permit_mynetworks(Evaluation& ev, const Restriction&) {
  return ev.engine.options().mynetworks.contains(ev.facts.client_address) ? Verdict::permit
                                                                          : Verdict::dunno;
}

Verdict check_permit_sasl_authenticated(Evaluation& ev, const Restriction&) {
  return ev.facts.sasl_username.empty() ? Verdict::dunno : Verdict::permit;
}

Verdict check_unauth_destination(Evaluation& ev, const Restriction& r) {
  // Only meaningful with a recipient; Postfix skips it in the other lists likewise.
  if (ev.facts.recipient.empty()) return Verdict::dunno;
  auto ours = ev.engine.local_or_relay_domain(ev.facts.recipient, ev.facts.sender);
  if (!ours) return ev.lookup_failure(ev.facts.recipient, ours.error().message);
  if (*ours) return Verdict::dunno;
  // defer_unauth_destination: Postfix's fixed 4.7.1 with relay_domains_reject_code's 5 as 4.
  bool defer = r.name == "defer_unauth_destination";
  int code = ev.engine.options().codes.relay_domains_reject;
  if (defer) code = 454;
  return ev.reject(code, defer ? "4.7.1" : (code >= 500 ? "5.7.1" : "4.7.1"),
                   fmt::format("<{}>: Relay access denied", ev.facts.shown_recipient()));
}

Verdict check_permit_auth_destination(Evaluation& ev, const Restriction&) {
  if (ev.facts.recipient.empty()) return Verdict::dunno;
  auto ours = ev.engine.local_or_relay_domain(ev.facts.recipient, ev.facts.sender);
  if (!ours) return ev.lookup_failure(ev.facts.recipient, ours.error().message);
  return *ours ? Verdict::permit : Verdict::dunno;
}

}  // namespace correio::smtpd::access
