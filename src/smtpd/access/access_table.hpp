// One check_*_access table and Postfix's key search orders for it (access(5) "EMAIL
// ADDRESS PATTERNS", "DOMAIN NAME PATTERNS", "HOST NAME/ADDRESS PATTERNS"). Pattern
// tables (regexp:, pcre:, cidr:) are asked only with the whole string, never with parent
// domains, shorter networks or the parts of an address, as access(5) says.
// Owned by the Restrictions; not thread-safe (a Map is not).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "maps/map.hpp"

namespace correio::smtpd::access {

struct TableMatch {
  std::string value;
  std::string key;  // the key that matched
};

class AccessTable {
 public:
  // Opens "type:name" (one table, as Postfix's check_*_access takes).
  // `options`: maps::daemon_map_options(smtputf8_enable).
  static Result<std::unique_ptr<AccessTable>> open(std::string_view spec,
                                                   const maps::MapOptions& options = {});
  // A table over `map`; whether it is a pattern table is the map's own
  // maps::Map::fixed_keys().
  explicit AccessTable(std::unique_ptr<maps::Map> map);

  using Found = Result<std::optional<TableMatch>>;

  // A host or domain name: "sub.example.com", then its parents — "example.com", "com"
  // when smtpd_access_maps is in parent_domain_matches_subdomains (`parent_style`),
  // else ".example.com", ".com".
  Found find_domain(std::string_view domain, bool parent_style);
  // A client address: "192.168.1.2", "192.168.1", "192.168", "192" (IPv6: at ':').
  Found find_address(std::string_view address);
  // A mail address: user+ext@domain, user@domain, the domain (and its parents as
  // find_domain), user+ext@, user@. `delimiters`: recipient_delimiter.
  Found find_mail(std::string_view address, std::string_view delimiters, bool parent_style);

  const std::string& spec() const { return spec_; }

 private:
  Found find(std::string_view key, bool partial);
  Found find_parents(std::string_view domain, bool parent_style);

  std::unique_ptr<maps::Map> map_;
  std::string spec_;
};

}  // namespace correio::smtpd::access
