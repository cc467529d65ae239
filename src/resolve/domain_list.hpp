// A Postfix domain list (mydestination, virtual_mailbox_domains, relay_domains, ...): host
// names, ".parent" names, "/file/name" files of more names and "type:table" tables looked
// up by domain, matched case-insensitively in order, "!pattern" excluding (Postfix's
// match_list(3) with match_hostname). A DomainList is owned by its caller and used from
// one thread at a time (its tables are not thread-safe).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "maps/map.hpp"

namespace correio::resolve {

// Longest file a "/file/name" entry may name; a bigger one is refused.
inline constexpr size_t kMaxDomainListFile = 4 << 20;

class DomainList {
 public:
  // `parameter` names the list in errors ("virtual_mailbox_domains: unsupported dictionary
  // type: mysql"). `parent_matches_subdomains`: "example.com" also matches
  // "sub.example.com" (the parameter is listed in parent_domain_matches_subdomains);
  // ".example.com" always matches subdomains. Errors: unknown table type, unreadable
  // table or file, a file nesting more files too deep. `options`: how tables fold keys
  // (maps::daemon_map_options(smtputf8_enable)).
  static Result<DomainList> open(std::string_view parameter, std::string_view value,
                                 bool parent_matches_subdomains,
                                 const maps::MapOptions& options = {});

  // true when `domain` is listed. An Error is a temporary table failure: callers defer
  // (4.3.0), they never treat it as "not listed".
  Result<bool> contains(std::string_view domain);

  bool empty() const { return patterns_.empty(); }
  const std::string& parameter() const { return parameter_; }

 private:
  struct Pattern {
    bool negated = false;
    std::string name;                  // lower case; empty when `table` is set
    std::shared_ptr<maps::Map> table;  // shared: a DomainList is copyable
  };
  Status add(std::string_view item, int depth);
  Result<bool> matches(Pattern& p, std::string_view domain) const;

  std::string parameter_;
  bool parent_matches_ = false;
  maps::MapOptions options_;
  std::vector<Pattern> patterns_;
};

// The names in a "/file/name" list's text: whitespace or comma separated, "#" to the end
// of the line a comment. Pure; the fuzz target's entry point.
std::vector<std::string> parse_domain_list_file(std::string_view text);

// Whether `parameter` is named in parent_domain_matches_subdomains' value.
bool parent_style(std::string_view parent_domain_matches_subdomains, std::string_view parameter);

}  // namespace correio::resolve
