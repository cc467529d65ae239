// MTA-STS (RFC 8461) for the smtp agent, Correio's own (Postfix delegates it to an external
// policy server such as postfix-mta-sts-resolver): the policy of a recipient domain, found
// through its "_mta-sts" TXT record, fetched over HTTPS (mta_sts_fetch.hpp) and cached per
// smtp process for the policy's max_age (§5.1). Not thread-safe: one cache per agent.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "delivery/smtp/mta_sts_policy.hpp"
#include "delivery/smtp/tls_policy.hpp"
#include "dns/lookup.hpp"
#include "dns/mail_exchangers.hpp"

namespace correio::delivery::smtp_agent {

class StsCache {
 public:
  // The policy of `domain` now (§5.1): the cached one while its id matches the TXT
  // record's and max_age has not passed, else a fresh fetch; when the TXT record is gone
  // or the fetch fails, a cached policy that has not expired, else none. Failures are
  // logged as warnings; none of them stops delivery (§5: no policy means no MTA-STS).
  asio::awaitable<std::optional<StsPolicy>> policy(asio::any_io_executor executor,
                                                   dns::Lookup& lookup, asio::ssl::context& tls,
                                                   const std::string& domain,
                                                   std::chrono::seconds timeout, base::Logger& log);

 private:
  struct Entry {
    StsPolicy policy;
    std::string id;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, Entry> entries_;
};

// One delivery's view for enforce_mta_sts().
struct StsDelivery {
  std::string domain;    // the nexthop domain (MX routing)
  std::string queue_id;  // for the log
  bool mx_secure = false;
  int tls_loglevel = 0;
  std::chrono::seconds timeout{30};  // the HTTPS fetch (smtp_connect_timeout)
};

// What MTA-STS does to one delivery (§2, §4, §5): nothing when DANE applies (a dane level
// with a secure MX answer) or the destination's level is none, verify or secure; else, at
// enforce, only the MX hosts the policy names stay in `hosts` and `policy` becomes verify
// by the MX host name. Returns the deferral text when enforce leaves no host.
asio::awaitable<std::optional<std::string>> enforce_mta_sts(
    StsCache& cache, asio::any_io_executor executor, dns::Lookup& lookup, asio::ssl::context& tls,
    base::Logger& log, StsDelivery delivery, std::vector<dns::MailHost>& hosts,
    TlsPolicyEntry& policy);

}  // namespace correio::delivery::smtp_agent
