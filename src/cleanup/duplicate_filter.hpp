// The duplicate filter of Postfix's cleanup_out_recipient(): a recipient written to the
// queue file twice would be delivered twice, e.g. when two aliases expand to one user.
// One per message; not thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace correio::cleanup {

class DuplicateFilter {
 public:
  // With enable_original_recipient a recipient counts once per original recipient (each
  // keeps its own X-Original-To); without it, once per message.
  explicit DuplicateFilter(bool by_original) : by_original_(by_original) {}

  // true the first time this recipient is offered; the DSN fields are part of its
  // identity as in Postfix (same NOTIFY and ORCPT).
  bool first(std::string_view recipient, std::string_view original, std::string_view orcpt,
             unsigned notify);

 private:
  bool by_original_;
  std::set<std::string> seen_;
};

}  // namespace correio::cleanup
