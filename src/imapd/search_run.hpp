// Running a SEARCH program over the selected folder, for SEARCH, SORT and THREAD: the
// matches in sequence order. Header blocks come from the store (mailbox::Mailbox::header). Private
// to imapd.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imapd/search_program.hpp"
#include "imapd/selected_view.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

struct Match {
  uint32_t seq;
  const mailbox::MessageInfo* message;
};

// "CHARSET x" before the keys (SEARCH), or the charset argument of SORT/THREAD.
bool charset_supported(std::string_view charset);

// Runs `program` over the selected folder; the matches in sequence order.
std::vector<Match> run_search(SelectedView& view, const SearchKey& program,
                              const std::vector<uint32_t>* saved);

}  // namespace correio::imapd
