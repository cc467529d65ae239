// Mail loop detection (see mail_loop.hpp).
#include "delivery/smtp/mail_loop.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.hpp"

namespace correio::delivery::smtp_agent {
namespace {

smtp::Outcome loops(smtp::Verdict verdict, std::string_view dsn, std::string_view name) {
  return {verdict, std::string(dsn), fmt::format("mail for {} loops back to myself", name), "",
          false};
}

bool is_own(const dns::MailHost& host, const std::set<std::string>& own) {
  return std::any_of(host.addresses.begin(), host.addresses.end(),
                     [&](const std::string& a) { return own.count(a) > 0; });
}

}  // namespace

std::optional<smtp::Outcome> drop_own_hosts(dns::MailHosts& hosts, const std::set<std::string>& own,
                                            std::string_view name) {
  std::optional<int> self;  // the best preference at which this host is an MX host
  for (const auto& host : hosts.hosts)
    if (is_own(host, own) && (!self || host.preference < *self)) self = host.preference;
  if (!self) return std::nullopt;
  if (!hosts.via_mx) return loops(smtp::Verdict::bounced, "5.4.6", name);
  // smtp_truncate_self: only hosts more preferred than this one; equal ones go too.
  std::erase_if(hosts.hosts, [&](const dns::MailHost& h) { return h.preference >= *self; });
  if (hosts.hosts.empty()) return loops(smtp::Verdict::bounced, "5.4.6", name);
  return std::nullopt;
}

std::optional<smtp::Outcome> ehlo_names_this_host(std::string_view ehlo_host,
                                                  std::string_view own_hostname,
                                                  std::string_view name, bool best_mx) {
  if (own_hostname.empty() || !base::iequals(ehlo_host, own_hostname)) return std::nullopt;
  return best_mx ? loops(smtp::Verdict::bounced, "5.4.6", name)
                 : loops(smtp::Verdict::deferred, "4.4.6", name);
}

}  // namespace correio::delivery::smtp_agent
