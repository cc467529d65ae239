// Address masquerading (Postfix's cleanup_masquerade.c, ADDRESS_REWRITING_README
// "Address masquerading"): user@host.sub.example.com becomes user@example.com when
// masquerade_domains lists example.com. Pure value type; thread-safe once built.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace correio::cleanup {

class Masquerade {
 public:
  // `domains`: masquerade_domains items in order, "!name" an exception; `exceptions`:
  // masquerade_exceptions, local parts that are never masqueraded.
  Masquerade(std::vector<std::string> domains, std::vector<std::string> exceptions);

  bool empty() const { return domains_.empty(); }

  // The masqueraded address, or `address` unchanged. The first item that is the domain
  // itself or a parent of it decides: a plain parent replaces the domain, the domain
  // itself or a "!" item leaves it alone (postconf(5) masquerade_domains).
  std::string apply(std::string_view address) const;

 private:
  std::vector<std::string> domains_;     // lower case, "!" kept
  std::vector<std::string> exceptions_;  // lower case
};

}  // namespace correio::cleanup
