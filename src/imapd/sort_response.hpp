// SORT's and THREAD's untagged responses (RFC 5256 §4, RFC 5267 §3.2 ESORT's ESEARCH):
// pure renderers over the numbers the run produced. Private to imapd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imapd/sort_args.hpp"

namespace correio::imapd {

// "SORT 3 1 2", or for SORT RETURN "ESEARCH (TAG "a1") [UID] MIN 3 ..." (no "* ").
// `ids` are in sort order, UIDs for UID SORT. `modseq`, when the search used MODSEQ and
// something matched, is the highest of the returned messages: "(MODSEQ n)" after SORT's
// numbers (RFC 7162 §3.1.5), "MODSEQ n" in ESEARCH (RFC 4731 §3.2).
std::string sort_response(const SortArgs& args, const std::vector<uint32_t>& ids,
                          const std::string& tag, bool uid,
                          std::optional<uint64_t> modseq = std::nullopt);

// "THREAD (2)(3 6)" or "THREAD" for no match (RFC 5256 §4: thread-data).
std::string thread_response(const std::string& threads);

}  // namespace correio::imapd
