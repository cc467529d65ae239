// check_{client,helo,sender,recipient}_{mx,ns}_access (postconf(5)): the MX or NS hosts
// of a domain, each checked as a host name and then by its addresses against an access
// table, as Postfix's check_server_access() does; and check_client_a_access, the
// addresses of the client's host name.
#include <fmt/format.h>
#include <sys/socket.h>

#include <optional>

#include "base/strings.hpp"
#include "dns/lookup.hpp"
#include "smtpd/access/access_action.hpp"
#include "smtpd/access/checks.hpp"
#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {
namespace {

// What a restriction is about: the name whose servers are looked up, and the reply's
// "<subject>: Class rejected".
struct Server {
  std::string domain;
  std::string subject;
  std::string_view klass;
};

std::optional<Server> server_subject(const Facts& f, std::string_view restriction) {
  auto domain_of = [](std::string_view address) {
    size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
  };
  Server s;
  if (restriction.starts_with("check_client_")) {
    if (f.client_name == "unknown") return std::nullopt;
    s = {std::string(f.client_name), fmt::format("{}[{}]", f.client_name, f.client_address),
         "Client host"};
  } else if (restriction.starts_with("check_helo_")) {
    s = {std::string(f.helo), std::string(f.helo), "Helo command"};
  } else if (restriction.starts_with("check_sender_")) {
    s = {std::string(domain_of(f.sender)), std::string(f.sender), "Sender address"};
  } else {
    s = {std::string(domain_of(f.recipient)), std::string(f.recipient), "Recipient address"};
  }
  s.domain = base::to_lower(s.domain);
  while (s.domain.ends_with('.')) s.domain.pop_back();
  // An address literal has no name servers; for MX it would be its own host, which
  // Correio does not check (no table holds "[addr]" keys).
  if (s.domain.empty() || s.domain.starts_with('[')) return std::nullopt;
  return s;
}

// The MX hosts of `domain`, or the domain itself when it exists without MX records.
asio::awaitable<std::vector<std::string>> mx_hosts(dns::Lookup& lookup, const std::string& domain) {
  dns::MxAnswer mx = co_await lookup.mx_of(domain);
  std::vector<std::string> hosts;
  for (const auto& record : mx.records)
    if (!record.host.empty()) hosts.push_back(base::to_lower(record.host));
  if (mx.outcome == dns::Outcome::not_found && !mx.no_such_domain) hosts.push_back(domain);
  co_return hosts;
}

// The NS hosts of `domain`, or of its closest parent that has some: Postfix walks up
// the tree ("look up parent domain NS records") until the top-level label.
asio::awaitable<std::vector<std::string>> ns_hosts(dns::Lookup& lookup, std::string domain) {
  for (;;) {
    dns::Answer ns = co_await lookup.ns_of(domain);
    if (ns.outcome == dns::Outcome::found) {
      std::vector<std::string> hosts;
      for (const auto& host : ns.items) hosts.push_back(base::to_lower(host));
      co_return hosts;
    }
    size_t dot = domain.find('.');
    if (ns.outcome == dns::Outcome::temporary || dot == std::string::npos ||
        dot + 1 == domain.size())
      co_return std::vector<std::string>{};
    domain.erase(0, dot + 1);
  }
}

}  // namespace

asio::awaitable<Verdict> check_mx_ns_access(Evaluation& ev, const Restriction& r) {
  AccessTable* table = ev.engine.table(r.argument);
  if (!table) co_return ev.configuration_error(r.name + ": table " + r.argument + " is not open");
  std::optional<Server> server = server_subject(ev.facts, r.name);
  if (!server) co_return Verdict::dunno;
  std::shared_ptr<dns::Lookup> lookup = co_await dns_lookup(ev);
  if (!lookup) co_return Verdict::dunno;
  const bool ns = r.name.ends_with("_ns_access");
  std::vector<std::string> hosts;
  if (ns)
    hosts = co_await ns_hosts(*lookup, server->domain);
  else
    hosts = co_await mx_hosts(*lookup, server->domain);
  if (hosts.empty()) {
    // Postfix: "Unable to look up NS host for DOMAIN"; no restriction applies.
    ev.engine.log().warning("Unable to look up {} host for {}", ns ? "NS" : "MX", server->domain);
    co_return Verdict::dunno;
  }
  const bool parent = ev.engine.options().parent_style;
  const std::string spec = table->spec();
  for (const std::string& host : hosts) {
    // Postfix skips a host without an address, its name unchecked.
    dns::Answer addresses = co_await lookup->addresses_of(host, AF_INET);
    if (addresses.outcome != dns::Outcome::found) {
      ev.engine.log().warning("Unable to look up {} host {} for {} {}: {}", ns ? "NS" : "MX", host,
                              server->klass, server->subject, addresses.error);
      continue;
    }
    // The host name first, then each of its addresses.
    auto found = table->find_domain(host, parent);
    for (size_t i = 0; found && !*found && i < addresses.items.size(); ++i)
      found = table->find_address(addresses.items[i]);
    if (!found) co_return ev.lookup_failure(server->subject, found.error().message);
    if (!*found) continue;
    const std::string value = (*found)->value;
    Verdict v = co_await apply_access_result(ev, value, server->subject, server->klass, spec);
    if (v != Verdict::dunno) co_return v;
  }
  co_return Verdict::dunno;
}

asio::awaitable<Verdict> check_a_access(Evaluation& ev, const Restriction& r) {
  AccessTable* table = ev.engine.table(r.argument);
  if (!table) co_return ev.configuration_error(r.name + ": table " + r.argument + " is not open");
  const Facts& f = ev.facts;
  // postconf(5): "the IP addresses for the client hostname" (the verified name; the
  // reverse_ form takes the PTR name). Without a name there is nothing to look up.
  std::string_view name = r.name == "check_client_a_access" ? f.client_name : f.reverse_name;
  if (name == "unknown" || name.empty()) co_return Verdict::dunno;
  std::shared_ptr<dns::Lookup> lookup = co_await dns_lookup(ev);
  if (!lookup) co_return Verdict::dunno;
  const std::string subject = fmt::format("{}[{}]", f.client_name, f.client_address);
  const std::string host(name);
  const std::string spec = table->spec();
  for (int family : {AF_INET, AF_INET6}) {
    dns::Answer addresses = co_await lookup->addresses_of(host, family);
    if (addresses.outcome != dns::Outcome::found) continue;  // Postfix skips it silently
    for (const std::string& address : addresses.items) {
      auto found = table->find_address(address);
      if (!found) co_return ev.lookup_failure(subject, found.error().message);
      if (!*found) continue;
      const std::string value = (*found)->value;
      // Postfix's forbid_allowlist(): a DNS answer the client controls must not permit.
      if (auto action = parse_access_action(value); action && action->kind == ActionKind::ok) {
        ev.engine.log().warning("restriction {} returns OK for {}", r.name, address);
        ev.engine.log().warning("this is not allowed for security reasons");
        ev.engine.log().warning("use DUNNO instead of OK if you want to make an exception");
        co_return ev.configuration_error(r.name + " returns OK for " + address);
      }
      Verdict v = co_await apply_access_result(ev, value, subject, "Client host", spec);
      if (v != Verdict::dunno) co_return v;
    }
  }
  co_return Verdict::dunno;
}

}  // namespace correio::smtpd::access
