// transport_maps (transport(5), Postfix's trivial-rewrite/transport.c): per-address and
// per-domain overrides of the (transport, nexthop) an address class chose. A
// TransportTable is used from one thread at a time (its tables are not thread-safe);
// copies share the opened tables.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "maps/map.hpp"

namespace correio::resolve {

// Applies one transport(5) result to a route, as Postfix's update_entry(): ":" changes
// nothing; ":[gw]" keeps the transport and sets the nexthop; "smtp:" sets the transport
// and resets the nexthop to `domain` (lower case); "error:" without text says "Address is
// undeliverable"; "lmtp:unix:/path" splits at the first ':'. Pure; fuzzed.
void apply_transport_entry(std::string_view value, std::string_view domain, std::string& transport,
                           std::string& nexthop);

// The error transport's nexthop "5.7.1 text" split into its RFC 3463 status code and the
// text (Postfix's dsn_split); text without a leading 5.x.x code keeps `default_dsn`.
// qmgr bounces with it, smtpd refuses RCPT with it. Pure.
struct ErrorText {
  std::string dsn, text;
};
ErrorText split_error_text(std::string_view nexthop, std::string_view default_dsn);

class TransportTable {
 public:
  TransportTable() = default;  // finds nothing (transport_maps is empty)

  // `maps`: transport_maps, opened. `parent_style`: transport_maps is listed in
  // parent_domain_matches_subdomains, so "example.com" also matches its subdomains;
  // otherwise ".example.com" does. `delimiters`: recipient_delimiter.
  TransportTable(std::shared_ptr<maps::Map> maps, bool parent_style, std::string delimiters);

  bool empty() const { return !maps_; }

  // Looks `address` (as resolved: local@domain) up in transport(5)'s order — the
  // address, the address without its extension, the domain, its parent domains, then
  // the "*" wildcard — and applies the first entry found to `transport` and `nexthop`.
  // Returns whether an entry was found. Error: a table failed (callers defer).
  Result<bool> apply(std::string_view address, std::string& transport, std::string& nexthop);

 private:
  Result<bool> try_key(std::string_view key, std::string_view domain, bool partial,
                       std::string& transport, std::string& nexthop);

  std::shared_ptr<maps::Map> maps_;
  bool parent_style_ = false;
  std::string delimiters_;
};

}  // namespace correio::resolve
