// smtp_generic_maps (Postfix's generic(5), smtp(8)): the address rewriting the SMTP client
// does on the way out — envelope sender, recipients and every address header — so that
// local-only addresses (joe@localdomain.local) leave as valid Internet addresses. The
// tables and lookup order are cleanup's (address_table.hpp). Owned by the smtp agent; one
// thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "cleanup/address_table.hpp"
#include "config/config.hpp"
#include "resolve/resolver.hpp"

namespace correio::cleanup {

class GenericMaps {
 public:
  // nullopt when smtp_generic_maps is empty. Errors name the parameter.
  static Result<std::optional<GenericMaps>> open(const config::Config& config);

  // One address ("" stays ""), one-to-one, repeated while it changes (smtp_map11.c).
  Result<std::string> address(std::string_view address);
  // The message with the addresses of its header section rewritten (From:, To:, Cc:,
  // Reply-To: ... as in cleanup); the body is untouched. LF line endings.
  Result<std::string> content(std::string_view message);

 private:
  GenericMaps() = default;
  std::optional<resolve::Resolver> resolver_;
  AddressTable table_;
  std::string myorigin_, delimiter_;
  bool propagate_ = false;  // "generic" in propagate_unmatched_extensions
};

}  // namespace correio::cleanup
