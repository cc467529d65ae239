// Virtual alias expansion (Postfix's cleanup_map1n.c, virtual(5)): one recipient becomes
// the addresses virtual_alias_maps gives it, recursively, within
// virtual_alias_recursion_limit levels and virtual_alias_expansion_limit addresses.
// Stateless apart from the table; use from one thread at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "cleanup/address_table.hpp"

namespace correio::cleanup {

struct ExpansionLimits {
  size_t expansion = 1000;  // virtual_alias_expansion_limit
  int recursion = 1000;     // virtual_alias_recursion_limit
};

struct Expansion {
  std::vector<std::string> addresses;  // the final recipients, in order; may repeat
  bool matched = false;                // the table knew the address itself
  // Non-empty when a limit was hit: Postfix's warning text. The message must not be
  // accepted now ("4.6.0 Alias expansion error"); nothing else is valid then.
  std::string limit_error;
};

// Expands `address`. An address that maps to itself (among others) is kept and not
// looked up again ("a@x -> a@x, b@x"); a loop ends at the recursion limit. Error: a table
// failed (temporary).
Result<Expansion> expand_virtual_alias(AddressTable& table, std::string_view address,
                                       std::string_view delimiters, const LocalDomainTest& is_local,
                                       bool propagate, const ExpansionLimits& limits,
                                       const Completion& complete = {});

}  // namespace correio::cleanup
