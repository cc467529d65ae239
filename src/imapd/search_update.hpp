// CONTEXT=SEARCH (RFC 5267 §4): searches kept up to date with RETURN (UPDATE) until
// CANCELUPDATE or the mailbox is closed. One per tag; the session re-runs them when the
// mailbox changed and sends what left and joined the result. Private to imapd.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "imapd/search_program.hpp"

namespace correio::imapd {

struct SearchUpdate {
  std::string tag;
  bool uid = false;  // UID SEARCH: numbers are UIDs, else sequence numbers
  SearchKey program;
  std::vector<uint32_t> results;  // the last result, ascending UIDs
};

// " REMOVEFROM (0 set) ADDTO (0 set)" for the change from `before` to `after` (ascending
// UIDs), each UID written as `number_of(uid)`; "" when nothing changed. Removals come
// first and position 0 stands for "not sorted" (RFC 5267 §4.3), as Dovecot writes them.
std::string search_update_data(const std::vector<uint32_t>& before,
                               const std::vector<uint32_t>& after,
                               const std::function<uint32_t(uint32_t)>& number_of);

}  // namespace correio::imapd
