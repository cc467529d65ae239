// Which transport delivers a recipient (Postfix's trivial-rewrite "resolve"): a domain in
// mydestination goes to local_transport, in virtual_mailbox_domains to virtual_transport,
// in relay_domains to relay_transport, anything else to default_transport. Transport
// values use Postfix's syntax "transport:nexthop". Pure; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace correio::qmgr {

struct Route {
  std::string transport;  // "virtual", "local", "smtp", "relay", "error", "discard", ...
  std::string nexthop;    // after the colon; for local it defaults to the domain
};

class Resolver {
 public:
  explicit Resolver(const config::Config& config);
  Route resolve(std::string_view recipient) const;

 private:
  std::vector<std::string> local_domains_, virtual_domains_, relay_domains_;
  std::string local_transport_, virtual_transport_, relay_transport_, default_transport_;
};

// "smtp:[mx.example]:25" -> {"smtp", "[mx.example]:25"}; "virtual" -> {"virtual", ""}.
Route parse_transport(std::string_view value);

}  // namespace correio::qmgr
