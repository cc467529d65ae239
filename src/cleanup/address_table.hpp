// An address-keyed table list (canonical_maps, virtual_alias_maps, relocated_maps, the bcc
// maps) searched as Postfix's mail_addr_find(3) and mail_addr_map(3) do. Owned by its
// caller; not thread-safe (its tables are not); copies share the opened tables.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "maps/map.hpp"

namespace correio::cleanup {

// Whether a domain is one of this machine's own (mydestination, $myorigin): only then do
// "user+ext" and "user" keys apply (canonical(5), virtual(5) TABLE FORMAT). Error: a
// domain table failed.
using LocalDomainTest = std::function<Result<bool>(std::string_view domain)>;
// Rewrites a table's result to standard form ("bob" -> bob@$myorigin), as Postfix's
// mail_addr_crunch() does; empty: results stay as written.
using Completion = std::function<std::string(std::string_view address)>;

class AddressTable {
 public:
  // `parameter` names the setting in errors ("canonical_maps: unsupported dictionary
  // type: foo"). An empty list gives an empty table that finds nothing.
  // `options`: maps::daemon_map_options(smtputf8_enable).
  static Result<AddressTable> open(std::string_view parameter, std::string_view list,
                                   const maps::MapOptions& options);

  bool empty() const { return !maps_; }
  const std::string& parameter() const { return parameter_; }

  struct Match {
    std::string value;       // the table's value, as stored
    std::string key;         // the key that matched
    std::string extension;   // "+ext" when the key was found without it, else ""
    bool catch_all = false;  // found by "@domain"
  };

  // mail_addr_find(3): "user+ext@domain", "user@domain", then — for an address without a
  // domain or in a local domain — "user+ext", "user", and last "@domain" (maps::
  // lookup_address()). Pattern tables (regexp:, pcre:, cidr:) see the whole address
  // only. `delimiters` is recipient_delimiter.
  Result<std::optional<Match>> find(std::string_view address, std::string_view delimiters,
                                    const LocalDomainTest& is_local);

  // mail_addr_map(3): find() and the value split into addresses (comma-separated, quotes
  // kept together). A value "@other" keeps the local part ("user@other"); with
  // `propagate` (propagate_unmatched_extensions) an extension the key did not have is
  // put back into every result ("user+ext@new"); then each result is completed.
  // nullopt: not found.
  Result<std::optional<std::vector<std::string>>> map(std::string_view address,
                                                      std::string_view delimiters,
                                                      const LocalDomainTest& is_local,
                                                      bool propagate,
                                                      const Completion& complete = {});

 private:
  std::string parameter_;
  std::shared_ptr<maps::MapList> maps_;  // null: no tables
};

// A table value as a list of addresses: "a@x, \"b c\"@y,d@z" -> a@x, "b c"@y, d@z; angle
// brackets around an address are dropped. Pure.
std::vector<std::string> split_address_value(std::string_view value);

// "user+ext@domain" with `extension` "+ext" inserted before the '@' (or appended).
std::string add_extension(std::string_view address, std::string_view extension);

}  // namespace correio::cleanup
