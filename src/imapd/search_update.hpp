// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): searches and sorts kept up to date with
// RETURN (UPDATE) until CANCELUPDATE or the mailbox is closed. One per tag; the session
// re-runs them when the mailbox changed and sends what left and joined the result.
// Private to imapd.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "imapd/search_program.hpp"
#include "imapd/sort_order.hpp"

namespace correio::imapd {

struct SearchUpdate {
  std::string tag;
  bool uid = false;  // UID SEARCH: numbers are UIDs, else sequence numbers
  SearchKey program;
  // SORT contexts: the criteria; empty for a SEARCH context.
  std::vector<SortCriterion> sort;
  // The last result as UIDs: ascending for SEARCH, in sort order for SORT.
  std::vector<uint32_t> results;
};

// " REMOVEFROM (0 set) ADDTO (0 set)" for the change from `before` to `after` (ascending
// UIDs), each UID written as `number_of(uid)`; "" when nothing changed. Removals come
// first and position 0 stands for "not sorted" (RFC 5267 §4.3), as Dovecot writes them.
std::string search_update_data(const std::vector<uint32_t>& before,
                               const std::vector<uint32_t>& after,
                               const std::function<uint32_t(uint32_t)>& number_of);

// CONTEXT=SORT (sort_context.cpp): " REMOVEFROM (pos set)... ADDTO (pos set)..." for the
// change from `before` to `after` (UIDs in sort order), "" when nothing changed. Each item
// carries the 1-based position of its first message: removals last position first, where
// the message stood; additions first position first, where the message will stand, so a
// client applying them in the order given gets `after`.
std::string sort_update_data(const std::vector<uint32_t>& before,
                             const std::vector<uint32_t>& after,
                             const std::function<uint32_t(uint32_t)>& number_of);

}  // namespace correio::imapd
