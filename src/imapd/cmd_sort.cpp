// SORT and THREAD (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 ESORT and
// CONTEXT=SORT): the arguments are parsed by sort_args.cpp, the charset and search run
// once for both (sort_search), the matches ordered by sort_order.cpp or threaded by
// thread_run.cpp, and the answers written by sort_response.cpp.
#include <algorithm>

#include "imapd/search_return.hpp"
#include "imapd/search_run.hpp"
#include "imapd/session.hpp"
#include "imapd/sort_args.hpp"
#include "imapd/sort_order.hpp"
#include "imapd/sort_response.hpp"
#include "imapd/thread_run.hpp"

namespace correio::imapd {

std::optional<std::vector<Match>> Session::sort_search(const Command& c,
                                                       const CharsetAndProgram& search,
                                                       bool needs_headers) {
  // RFC 5256 §3: "If the server does not support the specified [CHARSET], it MUST return
  // a tagged NO response (not a BAD)"; with the charsets we know (RFC 5255 BADCHARSET).
  if (!charset_supported(search.charset)) {
    no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
    return std::nullopt;
  }
  report_changes(false);
  std::vector<uint32_t> none;
  const std::vector<uint32_t>* saved = saved_search_valid_ ? &saved_search_ : &none;
  std::vector<Match> matches = run_search(*selected_, search.program, saved);
  if (needs_headers) {
    // The store computes the header blocks a cold cache lacks on all cores at once.
    std::vector<uint32_t> uids;
    uids.reserve(matches.size());
    for (const Match& m : matches) uids.push_back(m.message->uid);
    selected_->box().prefetch(std::move(uids), mailbox::kCacheHeader);
  }
  return matches;
}

asio::awaitable<void> Session::cmd_sort(const Command& c, Parser& p) {
  auto args = parse_sort_args(p);
  if (!args) {
    bad(c, args.error().message);
    co_return;
  }
  auto found = sort_search(c, args->search, args->needs_headers());
  if (!found) co_return;
  std::vector<Match> sorted = sort_matches(selected_->box(), args->criteria, *found);
  // RFC 7162 §3.1.5: a MODSEQ criterion enables CONDSTORE and adds the highest MODSEQ of
  // the returned messages (RFC 4731 §3.2: only MIN's and MAX's when they are all asked).
  std::optional<uint64_t> modseq;
  if (search_uses_modseq(args->search.program)) {
    condstore_ = true;
    ReturnOptions returned = args->esort ? args->r : ReturnOptions{};
    for (size_t i : returned_positions(sorted.size(), returned))
      modseq = std::max(modseq.value_or(0), sorted[i].message->modseq);
  }
  if (args->r.update &&
      !start_search_update(c, std::move(args->search.program), sorted, args->criteria)) {
    bad(c, "Error in IMAP command SORT: The tag already names an UPDATE search.");
    co_return;
  }
  std::vector<uint32_t> ids;
  ids.reserve(sorted.size());
  for (const Match& m : sorted) ids.push_back(c.uid ? m.message->uid : m.seq);
  untagged(sort_response(*args, ids, c.tag, c.uid, modseq));
  ok(c, "Sort completed.");
}

asio::awaitable<void> Session::cmd_thread(const Command& c, Parser& p) {
  auto args = parse_thread_args(p);
  if (!args) {
    bad(c, args.error().message);
    co_return;
  }
  auto found = sort_search(c, args->search, true);
  if (!found) co_return;
  std::string threads = thread_matches(selected_->box(), args->algorithm, *found, c.uid);
  untagged(thread_response(threads));
  ok(c, "Thread completed.");
}

}  // namespace correio::imapd
