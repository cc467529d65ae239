// MTA-STS (RFC 8461) for the smtp agent, Correio's own (Postfix delegates it to an external
// policy server such as postfix-mta-sts-resolver): the policy of a recipient domain, found
// through its "_mta-sts" TXT record, fetched over HTTPS (mta_sts_fetch.hpp) and cached for
// the policy's max_age (§5.1): in each smtp process's memory and, with
// smtp_tls_mta_sts_cache_directory, on disk across restarts (mta_sts_store.hpp).
// Not thread-safe: one cache per agent.
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
#include "delivery/smtp/mta_sts_store.hpp"
#include "delivery/smtp/tls_policy.hpp"
#include "dns/lookup.hpp"
#include "dns/mail_exchangers.hpp"

namespace correio::delivery::smtp_agent {

class StsCache {
 public:
  // Keeps the policies in `store` too: read when a domain is not in memory (after a
  // restart), written after each fetch.
  void persist_in(StsStore store) { store_.emplace(std::move(store)); }

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
    // The wall clock, as on disk: a policy fetched before a restart expires on time.
    std::chrono::system_clock::time_point expires;
  };
  // The entry of `domain` from the store, when it has one that has not expired.
  void load(const std::string& domain, base::Logger& log);
  std::map<std::string, Entry> entries_;
  std::optional<StsStore> store_;
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
