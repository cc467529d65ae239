// The table from restriction name to implementation (Postfix's smtpd_check.c
// generic_checks() switch, as data), and the implementations' declarations, one family a
// file: basic_checks.cpp, client_checks.cpp, address_checks.cpp, access_checks.cpp,
// dns_lists.cpp, login_checks.cpp.
#pragma once

#include <asio/awaitable.hpp>
#include <memory>
#include <string_view>

#include "dns/lookup.hpp"
#include "smtpd/access/evaluation.hpp"
#include "smtpd/access/restriction_list.hpp"

namespace correio::smtpd::access {

using SyncCheck = Verdict (*)(Evaluation&, const Restriction&);
using AsyncCheck = asio::awaitable<Verdict> (*)(Evaluation&, const Restriction&);

struct Check {
  std::string_view name;
  SyncCheck sync = nullptr;    // exactly one of the two is set
  AsyncCheck async = nullptr;  // for those that wait (DNS, sleep, a policy server)
  bool opens_table = false;    // the argument is a table to open at start-up
};

// nullptr for a name that is no restriction (maybe a restriction class).
const Check* find_check(std::string_view name);

// basic_checks.cpp: permit, reject, defer, warn_if_reject, sleep, ...
Verdict check_permit(Evaluation&, const Restriction&);
Verdict check_reject(Evaluation&, const Restriction&);
Verdict check_defer(Evaluation&, const Restriction&);
Verdict check_defer_if_permit(Evaluation&, const Restriction&);
Verdict check_defer_if_reject(Evaluation&, const Restriction&);
Verdict check_warn_if_reject(Evaluation&, const Restriction&);
Verdict check_permit_mynetworks(Evaluation&, const Restriction&);
Verdict check_permit_sasl_authenticated(Evaluation&, const Restriction&);
Verdict check_unauth_destination(Evaluation&, const Restriction&);
Verdict check_permit_auth_destination(Evaluation&, const Restriction&);
Verdict check_unauth_pipelining(Evaluation&, const Restriction&);
asio::awaitable<Verdict> check_sleep(Evaluation&, const Restriction&);

// address_checks.cpp: the syntax and DNS tests of names and addresses.
Verdict check_non_fqdn(Evaluation&, const Restriction&);
Verdict check_invalid_helo_hostname(Evaluation&, const Restriction&);
Verdict check_unknown_client_hostname(Evaluation&, const Restriction&);
Verdict check_unknown_reverse_client_hostname(Evaluation&, const Restriction&);
Verdict check_unlisted(Evaluation&, const Restriction&);
asio::awaitable<Verdict> check_unknown_domain(Evaluation&, const Restriction&);

// login_checks.cpp: the smtpd_sender_login_maps family.
Verdict check_sender_login_mismatch(Evaluation&, const Restriction&);

// access_checks.cpp: check_*_access and the access(5) actions.
asio::awaitable<Verdict> check_access(Evaluation&, const Restriction&);
// Acts on one table result `value` about `subject` ("<subject>: Class rejected: ...");
// `table` names the table in warnings. Also used by the MX/NS and policy checks.
asio::awaitable<Verdict> apply_access_result(Evaluation& ev, std::string_view value,
                                             std::string_view subject, std::string_view klass,
                                             std::string_view table);

// dns_lists.cpp: DNS block and allow lists.
asio::awaitable<Verdict> check_dns_list(Evaluation&, const Restriction&);
// server_access.cpp: check_{client,helo,sender,recipient}_{mx,ns}_access.
asio::awaitable<Verdict> check_mx_ns_access(Evaluation&, const Restriction&);
// check_client_a_access, check_reverse_client_hostname_a_access (server_access.cpp).
asio::awaitable<Verdict> check_a_access(Evaluation&, const Restriction&);
// policy_client.cpp: check_policy_service (SMTPD_POLICY_README).
asio::awaitable<Verdict> check_policy_service(Evaluation&, const Restriction&);
// The io_context's shared resolver channel with dns_resolver_servers; null (and a
// warning logged) when it cannot be opened.
asio::awaitable<std::shared_ptr<dns::Lookup>> dns_lookup(Evaluation& ev);

}  // namespace correio::smtpd::access
