// SORT's and THREAD's untagged responses (see sort_response.hpp).
#include "imapd/sort_response.hpp"

#include <fmt/format.h>

namespace correio::imapd {

std::string sort_response(const SortArgs& args, const std::vector<uint32_t>& ids,
                          const std::string& tag, bool uid, std::optional<uint64_t> modseq) {
  if (!args.esort) {
    std::string line = "SORT";
    for (uint32_t id : ids) line += fmt::format(" {}", id);
    if (modseq) line += fmt::format(" (MODSEQ {})", *modseq);
    return line;
  }
  // MIN and MAX are the first and last in sort order; ALL and PARTIAL keep the sort
  // order, runs of consecutive ascending numbers written as ranges (RFC 5267 §3.2).
  std::string line = "ESEARCH (TAG \"" + tag + "\")";
  if (uid) line += " UID";
  line += esearch_return_data(ids, args.r, false);
  if (modseq) line += fmt::format(" MODSEQ {}", *modseq);
  return line;
}

std::string thread_response(const std::string& threads) {
  return threads.empty() ? std::string("THREAD") : "THREAD " + threads;
}

}  // namespace correio::imapd
