// Duplicate recipient elimination (see duplicate_filter.hpp).
#include "cleanup/duplicate_filter.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace correio::cleanup {

bool DuplicateFilter::first(std::string_view recipient, std::string_view original,
                            std::string_view orcpt, unsigned notify) {
  // cleanup_out_recipient.c: "%s\n%d\n%s\n%s" of ORCPT, NOTIFY, orig_rcpt, recipient;
  // addresses compare without case (RFC 5321 §2.4 leaves the local part's case to the
  // receiving host, and every Correio table folds it).
  std::string key =
      fmt::format("{}\n{}\n{}\n{}", orcpt, notify, by_original_ ? base::to_lower(original) : "",
                  base::to_lower(recipient));
  return seen_.insert(std::move(key)).second;
}

}  // namespace correio::cleanup
