// Asynchronous DNS lookups (c-ares) that run on the caller's Asio executor: c-ares tells us
// which sockets it waits on, Asio waits on them, and the coroutine is resumed with the
// answer. Nothing blocks the event loop.
// Ownership: a Lookup is one c-ares channel on one executor; any number of coroutines on
// that executor may run queries on it at once (smtpd's sessions share one: shared_lookup.hpp). It
// must be used and destroyed on its executor's thread. Not thread-safe.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::dns {

struct ResolverOptions {
  // Name servers as "ADDR" or "ADDR:PORT" ("[v6addr]:PORT" for IPv6); empty: the system's
  // resolver configuration (/etc/resolv.conf).
  std::vector<std::string> servers;
  // The time limit for one whole lookup (all tries and servers together).
  std::chrono::milliseconds time_limit{10000};
  // false: DNS only, never the hosts file (the SMTP client's smtp_host_lookup = dns, as
  // Postfix's res_query); true: the hosts file first, as the system resolver does.
  bool hosts_file = true;
  // smtp_dns_support_level = dnssec: MX queries (and query()) carry the EDNS DO and AD bits
  // and report the resolver's AD flag, as Postfix does with RES_USE_DNSSEC. Correio trusts
  // the AD bit of the configured resolver, which must be a local validating one.
  bool dnssec = false;
};

// What a query found. `temporary` is a failure worth retrying later (time-out, server
// failure), `not_found` a definite "no such name/record".
enum class Outcome { found, not_found, temporary };

struct Answer {
  Outcome outcome = Outcome::temporary;
  std::vector<std::string> items;  // names (PTR) or textual addresses (A/AAAA)
  std::string error;               // c-ares' words when not found
};

// One MX record (RFC 1035 §3.3.9); `host` is "" for the root name "." (RFC 7505 null MX).
struct MxRecord {
  int preference = 0;
  std::string host;
};

struct MxAnswer {
  Outcome outcome = Outcome::temporary;  // not_found: no such domain, or no MX records
  bool no_such_domain = false;           // NXDOMAIN rather than "no MX records"
  bool authentic = false;                // dnssec: the resolver set AD (a "secure" answer)
  std::vector<MxRecord> records;         // as the server sent them
  std::string error;
};

// A whole response to query(): c-ares does not parse every record type (TLSA), so the
// caller reads `message` with dns/message.hpp.
struct RawAnswer {
  Outcome outcome = Outcome::temporary;  // not_found: NXDOMAIN or no record of the type
  bool no_such_domain = false;
  bool authentic = false;  // the AD bit (only ever set when the query asked for DNSSEC)
  std::vector<uint8_t> message;
  std::string error;
};

class Lookup {
 public:
  static Result<std::unique_ptr<Lookup>> open(asio::any_io_executor executor,
                                              const ResolverOptions& options);
  ~Lookup();
  Lookup(const Lookup&) = delete;
  Lookup& operator=(const Lookup&) = delete;

  // The host names of a textual IPv4/IPv6 address (PTR records; the hosts file first, as
  // the system resolver does).
  asio::awaitable<Answer> names_of(std::string_view address);
  // The addresses of `name` in one family (AF_INET or AF_INET6), unsorted (the hosts file
  // first, as the system resolver does).
  asio::awaitable<Answer> addresses_of(std::string_view name, int family);
  // The MX records of `name`. The recursive server follows a CNAME for us; only the MX
  // records of its answer are kept (RFC 5321 §5.1).
  asio::awaitable<MxAnswer> mx_of(std::string_view name);
  // A query for `type` with the DO and AD bits set (dns/message.hpp secure_query), whatever
  // `dnssec` says: the caller wants the AD flag. DNS only, never the hosts file.
  asio::awaitable<RawAnswer> query(std::string_view name, uint16_t type);
  // The name servers of `name` (NS records, RFC 1035 §3.3.11), as host names. not_found:
  // no such domain or no NS records at that name (callers walk up the tree).
  asio::awaitable<Answer> ns_of(std::string_view name);

  struct Driver;  // c-ares channel + the Asio waits (lookup.cpp)

 private:
  explicit Lookup(std::shared_ptr<Driver> driver);
  std::shared_ptr<Driver> driver_;
  std::chrono::milliseconds time_limit_;
  bool dnssec_ = false;
};

}  // namespace correio::dns
