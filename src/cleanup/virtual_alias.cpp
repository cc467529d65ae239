// Recursive one-to-many virtual alias expansion (see virtual_alias.hpp).
#include "cleanup/virtual_alias.hpp"

#include <fmt/format.h>

#include <set>

#include "base/strings.hpp"

namespace correio::cleanup {

Result<Expansion> expand_virtual_alias(AddressTable& table, std::string_view address,
                                       std::string_view delimiters, const LocalDomainTest& is_local,
                                       bool propagate, const ExpansionLimits& limits,
                                       const Completion& complete) {
  Expansion out;
  out.addresses.emplace_back(address);
  if (table.empty()) return out;
  // Addresses allowed to stay as they are because they expanded into themselves.
  std::set<std::string> self_expanded;
  // cleanup_map1n(): each slot is expanded in place until it stops changing; the extra
  // results of a one-to-many entry are appended and expanded in their turn.
  for (size_t slot = 0; slot < out.addresses.size(); ++slot) {
    if (out.addresses.size() > limits.expansion) {
      out.limit_error =
          fmt::format("unreasonable {} map expansion size for {}", table.parameter(), address);
      out.addresses.clear();
      return out;
    }
    for (int depth = 0;; ++depth) {
      std::string current = out.addresses[slot];
      if (self_expanded.count(base::to_lower(current))) break;
      if (depth >= limits.recursion) {
        out.limit_error =
            fmt::format("unreasonable {} map nesting for {}", table.parameter(), address);
        out.addresses.clear();
        return out;
      }
      auto mapped = table.map(current, delimiters, is_local, propagate, complete);
      if (!mapped) return mapped.error();
      if (!*mapped) break;
      if (slot == 0 && depth == 0) out.matched = true;
      if ((*mapped)->empty()) break;  // an empty value: keep the address (Postfix warns)
      for (size_t i = 0; i < (*mapped)->size(); ++i) {
        std::string& next = (**mapped)[i];
        // "Allow an address to expand into itself once" (cleanup_map1n.c).
        if (base::iequals(next, current)) self_expanded.insert(base::to_lower(current));
        if (i == 0)
          out.addresses[slot] = next;
        else
          out.addresses.push_back(next);
      }
    }
  }
  return out;
}

}  // namespace correio::cleanup
