// ETRN (RFC 1985): a client asks this server to deliver the mail queued for a site now.
// As Postfix's smtpd: only for fast_flush_domains, from the site's fast flush log
// (queue/flush_log.hpp), once smtpd_etrn_restrictions allow it; "250 Queuing started",
// 458 when the queue cannot be flushed, 459 for a site that is not eligible.
#include "queue/flush_log.hpp"
#include "smtpd/etrn.hpp"
#include "smtpd/session.hpp"

namespace correio::smtpd {

Result<EtrnService> EtrnService::open(const config::Config& config) {
  EtrnService service;
  service.queue = queue::Queue(config.get("queue_directory"));
  std::string domains = config.get("fast_flush_domains");
  if (domains.empty()) return service;
  bool parent =
      resolve::parent_style(config.get("parent_domain_matches_subdomains"), "fast_flush_domains");
  auto list = resolve::DomainList::open("fast_flush_domains", domains, parent);
  if (!list) return list.error();
  service.fast_flush = std::move(*list);
  return service;
}

asio::awaitable<Session::Next> Session::cmd_etrn(const Command& command) {
  EtrnService* etrn = services_.etrn;
  if (!etrn) co_return co_await reply(502, "5.5.1", "Error: command not implemented");
  if (helo_name_.empty() && settings_.helo_required)
    co_return co_await reply(503, "5.5.1", "Error: send HELO/EHLO first");
  // RFC 1985 §5: not within a mail transaction.
  if (envelope_) co_return co_await reply(503, "5.5.1", "Error: MAIL transaction in progress");
  std::string_view argument = command.argument;
  if (argument.empty() || argument.find(' ') != std::string_view::npos)
    co_return co_await reply(500, "5.5.2", "Syntax: ETRN domain");
  // RFC 1985 §5.3: "@site" asks for subdomains too, "#queue" names a queue; like Postfix,
  // the marker is dropped and the rest is the site.
  if (argument.front() == '@' || argument.front() == '#') argument.remove_prefix(1);
  std::string site = queue::flush_site_name(argument);
  if (site.empty()) co_return co_await reply(501, "5.5.4", "Error: invalid parameter syntax");
  // Postfix's smtpd_check_etrn(): smtpd_etrn_restrictions (and, with smtpd_delay_reject,
  // the client and HELO lists) with the site as the ETRN domain; their reply as it is.
  access::Facts facts = access_facts("ETRN");
  facts.etrn_domain = site;
  std::optional<smtp::Reply> denied = co_await access_check(Restrictions::Event::etrn, facts);
  if (denied) co_return co_await reply(*denied);
  bool eligible = false;
  if (etrn->fast_flush) {
    auto listed = etrn->fast_flush->contains(site);
    if (!listed) {
      log_.warning("fast_flush_domains: {}", listed.error().message);
      co_return co_await reply(458, "4.3.0", "Unable to queue messages");
    }
    eligible = *listed;
  }
  // RFC 1985 §4: 459 "node not allowed" for a site this server does not queue for.
  if (!eligible) co_return co_await reply(459, "4.7.1", "<" + site + ">: service unavailable");
  auto moved = queue::flush_site(etrn->queue, site);
  if (!moved) {
    log_.warning("ETRN {}: {}", site, moved.error().message);
    co_return co_await reply(458, "4.3.0", "Unable to queue messages");
  }
  log_.info("ETRN {} from {}: {} message(s) queued for delivery", site, client_label(), *moved);
  co_return co_await reply(250, "", "Queuing started");
}

}  // namespace correio::smtpd
