// SEARCH / UID SEARCH (RFC 9051 §6.4.4 with RFC 4731 ESEARCH RETURN options and RFC 5182
// SEARCHRES). SORT and THREAD are in cmd_sort.cpp; the search itself in search_run.cpp.
#include <fmt/format.h>

#include <algorithm>

#include "imapd/search_program.hpp"
#include "imapd/search_return.hpp"
#include "imapd/search_run.hpp"
#include "imapd/session.hpp"
#include "mail/address.hpp"
#include "mail/date.hpp"
#include "mail/header_fields.hpp"
#include "mail/message_search.hpp"
#include "mail/threading.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::cmd_search(const Command& c, Parser& p) {
  // [RETURN (options)] [CHARSET charset] keys
  bool esearch = false;
  ReturnOptions r;
  if (p.consume_word("RETURN")) {
    esearch = true;
    auto options = p.space() ? parse_return_options(p, true) : std::nullopt;
    if (!options) {
      bad(c, "Error in IMAP command SEARCH: " + p.error());
      co_return;
    }
    r = std::move(*options);
    if (!p.space()) {
      bad(c, "Missing search keys.");
      co_return;
    }
  } else if (imap4rev2_) {
    esearch = true;
    r.all = true;
  }
  if (p.consume_word("CHARSET")) {
    auto charset = p.space() ? p.astring() : std::nullopt;
    if (!charset || !p.space()) {
      bad(c, "Invalid CHARSET.");
      co_return;
    }
    if (!charset_supported(*charset)) {
      no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
      co_return;
    }
  }
  auto program = parse_search_program(p);
  if (!program) {
    bad(c, "Error in IMAP command SEARCH: " + p.error());
    co_return;
  }
  report_changes(false);
  const std::vector<uint32_t>* saved = saved_search_valid_ ? &saved_search_ : nullptr;
  std::vector<uint32_t> empty_saved;
  if (saved == nullptr) saved = &empty_saved;
  auto matches = run_search(*selected_, *program, saved);
  if (r.update && !start_search_update(c, *program, matches)) {
    bad(c, "Error in IMAP command SEARCH: The tag already names an UPDATE search.");
    co_return;
  }
  bool with_modseq = search_uses_modseq(*program);
  if (with_modseq) condstore_ = true;  // SEARCH MODSEQ enables CONDSTORE (RFC 7162 §3.1)
  std::vector<uint32_t> ids;
  for (const auto& m : matches) ids.push_back(c.uid ? m.message->uid : m.seq);
  // RFC 4731 §3.2: MODSEQ is the highest of the messages returned (MIN/MAX alone return one
  // or two of them), not of every match.
  uint64_t highest = 0;
  for (size_t i : returned_positions(matches.size(), r))
    highest = std::max(highest, matches[i].message->modseq);
  if (r.save) save_search_result(matches, r);
  if (!esearch) {
    std::string line = "SEARCH";
    for (uint32_t id : ids) line += fmt::format(" {}", id);
    if (with_modseq && !ids.empty()) line += fmt::format(" (MODSEQ {})", highest);
    untagged(line);
  } else if (r.wants_data() || r.update) {
    std::string line = "ESEARCH (TAG \"" + c.tag + "\")";
    if (c.uid) line += " UID";
    line += esearch_return_data(ids, r, true);
    if (with_modseq && !ids.empty()) line += fmt::format(" MODSEQ {}", highest);
    untagged(line);
  }
  ok(c, "Search completed.");
}

// RFC 5182 §2.1: SAVE keeps what MIN/MAX return when they are the only data asked for (and
// RFC 9394 §3.1's PARTIAL window likewise), else the whole result, as UIDs.
void Session::save_search_result(const std::vector<Match>& matches, const ReturnOptions& r) {
  saved_search_.clear();
  for (size_t i : returned_positions(matches.size(), r))
    saved_search_.push_back(matches[i].message->uid);
  std::sort(saved_search_.begin(), saved_search_.end());
  saved_search_.erase(std::unique(saved_search_.begin(), saved_search_.end()), saved_search_.end());
  saved_search_valid_ = true;
}

}  // namespace correio::imapd
