// MX resolution for the SMTP client (RFC 5321 §5.1, RFC 7505), in Postfix's wording for
// its failures (dns_lookup.c, smtp_addr.c) so that bounces and logs read the same.
#include "dns/mail_exchangers.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include <algorithm>
#include <tuple>

namespace correio::dns {
namespace {

bool is_ip_literal(const std::string& name) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, name.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, name.c_str(), bytes) == 1;
}

std::string not_found_text(std::string_view name, std::string_view type, const std::string& why) {
  return fmt::format("Host or domain name not found. Name service error for name={} type={}: {}",
                     name, type, why);
}

// The addresses of one host in the allowed families. not_found only when every family
// definitely has none; temporary when one failed and none was found.
asio::awaitable<MailHosts> host_addresses(Lookup& lookup, const std::string& name,
                                          const HostLookupOptions& options) {
  MailHosts out;
  MailHost host{name, {}};
  if (is_ip_literal(name)) {
    host.addresses.push_back(name);
    out.outcome = Outcome::found;
    out.hosts.push_back(std::move(host));
    co_return out;
  }
  bool temporary = false;
  std::string last_type, last_error;
  for (auto [wanted, family, type] :
       {std::tuple{options.ipv4, AF_INET, "A"}, std::tuple{options.ipv6, AF_INET6, "AAAA"}}) {
    if (!wanted) continue;
    Answer answer{Outcome::not_found, {}, "no lookup"};
    if (options.dns) answer = co_await lookup.addresses_of(name, family);
    // Postfix's smtp_host_lookup "dns, native": the native service when DNS found none.
    if (answer.outcome != Outcome::found && options.native)
      answer = co_await options.native->addresses_of(name, family);
    if (answer.outcome == Outcome::found) {
      for (auto& a : answer.items) host.addresses.push_back(std::move(a));
      continue;
    }
    temporary = temporary || answer.outcome == Outcome::temporary;
    last_type = type;
    last_error =
        answer.outcome == Outcome::temporary ? "Host not found, try again" : "Host not found";
  }
  if (!host.addresses.empty()) {
    out.outcome = Outcome::found;
    out.hosts.push_back(std::move(host));
  } else {
    out.outcome = temporary ? Outcome::temporary : Outcome::not_found;
    out.dsn = temporary ? "4.4.3" : "5.4.4";
    out.reason = not_found_text(name, last_type.empty() ? "A" : last_type, last_error);
  }
  co_return out;
}

}  // namespace

void order_by_preference(std::vector<MxRecord>& records, std::mt19937& random) {
  std::shuffle(records.begin(), records.end(), random);
  std::stable_sort(records.begin(), records.end(), [](const MxRecord& a, const MxRecord& b) {
    return a.preference < b.preference;
  });
}

asio::awaitable<MailHosts> mail_hosts(Lookup& lookup, std::string_view name_view,
                                      const HostLookupOptions& options, std::mt19937& random) {
  std::string name(name_view);
  // MX records live in the DNS only: without it the name is looked up as a host.
  if (!options.use_mx || !options.dns || is_ip_literal(name))
    co_return co_await host_addresses(lookup, name, options);

  MxAnswer mx = co_await lookup.mx_of(name);
  if (mx.outcome == Outcome::temporary) {
    co_return MailHosts{
        Outcome::temporary, "4.4.3", not_found_text(name, "MX", "Host not found, try again"), {}};
  }
  if (mx.outcome == Outcome::not_found) {
    if (mx.no_such_domain)
      co_return MailHosts{
          Outcome::not_found, "5.4.4", not_found_text(name, "MX", "Host not found"), {}};
    // RFC 5321 §5.1: no MX records, so the domain is its own mail host (the "implicit MX").
    co_return co_await host_addresses(lookup, name, options);
  }
  // RFC 7505 §3: a "." exchange means the domain accepts no mail at all. The status is
  // Postfix's smtp(8) one, 5.1.0 (its smtpd says 556 5.1.10 at RCPT; RFC 7505 §4.2).
  for (const auto& r : mx.records)
    if (r.host.empty() || r.host == ".")
      co_return MailHosts{Outcome::not_found,
                          "5.1.0",
                          fmt::format("Domain {} does not accept mail (nullMX)", name),
                          {}};
  order_by_preference(mx.records, random);

  // Every MX host with the addresses it has; a host that cannot be resolved is skipped,
  // and only when none can is the whole lookup a failure (temporary if any was).
  MailHosts out;
  MailHosts first_failure;
  bool temporary = false;
  for (const auto& r : mx.records) {
    MailHosts one = co_await host_addresses(lookup, r.host, options);
    if (one.outcome == Outcome::found) {
      one.hosts.front().preference = r.preference;
      out.hosts.push_back(std::move(one.hosts.front()));
      continue;
    }
    temporary = temporary || one.outcome == Outcome::temporary;
    if (first_failure.reason.empty()) first_failure = std::move(one);
  }
  if (!out.hosts.empty()) {
    out.outcome = Outcome::found;
    out.via_mx = true;
    out.mx_secure = mx.authentic;
    co_return out;
  }
  first_failure.outcome = temporary ? Outcome::temporary : Outcome::not_found;
  first_failure.dsn = temporary ? "4.4.3" : "5.4.4";
  co_return first_failure;
}

}  // namespace correio::dns
