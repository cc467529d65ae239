// Running a SEARCH program over the selected folder, for SEARCH, SORT and THREAD: the
// matches in sequence order, and the cached header blocks they read. Private to imapd.
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

// The message's header block: from the folder's cache (FETCH ENVELOPE fills it), else read
// from the file (or `raw` when given) and cached, so header searches, SORT and THREAD read
// each file once.
std::optional<std::string> message_header(mailbox::Mailbox& box, uint32_t uid,
                                          const std::string* raw = nullptr);

// Runs `program` over the selected folder; the matches in sequence order.
std::vector<Match> run_search(SelectedView& view, const SearchKey& program,
                              const std::vector<uint32_t>* saved);

}  // namespace correio::imapd
