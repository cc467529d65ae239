// SEARCH / UID SEARCH (RFC 9051 §6.4.4 with RFC 4731 ESEARCH RETURN options and RFC 5182
// SEARCHRES). SORT and THREAD are in cmd_sort.cpp; the search itself in search_run.cpp.
#include <fmt/format.h>

#include <algorithm>

#include "imapd/search_program.hpp"
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
  bool r_min = false, r_max = false, r_all = false, r_count = false, r_save = false;
  if (p.consume_word("RETURN")) {
    esearch = true;
    if (!p.space() || !p.consume('(')) {
      bad(c, "Invalid SEARCH RETURN options.");
      co_return;
    }
    while (!p.consume(')')) {
      auto opt = p.atom();
      if (!opt) {
        bad(c, "Invalid SEARCH RETURN options.");
        co_return;
      }
      std::string u = upper(*opt);
      if (u == "MIN")
        r_min = true;
      else if (u == "MAX")
        r_max = true;
      else if (u == "ALL")
        r_all = true;
      else if (u == "COUNT")
        r_count = true;
      else if (u == "SAVE")
        r_save = true;
      else {
        bad(c, "Unknown SEARCH RETURN option " + u);
        co_return;
      }
      p.consume(' ');
    }
    if (!r_min && !r_max && !r_count && !r_save) r_all = true;
    if (r_save && !r_min && !r_max && !r_count && !r_all) {
      // SAVE alone: nothing is returned (RFC 5182 §2.1).
    }
    if (!p.space()) {
      bad(c, "Missing search keys.");
      co_return;
    }
  } else if (imap4rev2_) {
    esearch = true;
    r_all = true;
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
  bool with_modseq = search_uses_modseq(*program);
  if (with_modseq) condstore_ = true;  // SEARCH MODSEQ enables CONDSTORE (RFC 7162 §3.1)
  uint64_t highest = 0;
  std::vector<uint32_t> ids;
  for (const auto& m : matches) {
    ids.push_back(c.uid ? m.message->uid : m.seq);
    highest = std::max(highest, m.message->modseq);
  }
  if (r_save) {
    saved_search_.clear();
    if (r_min && !r_max && !r_all && !r_count && !matches.empty()) {
      saved_search_.push_back(matches.front().message->uid);
    } else if (r_max && !r_min && !r_all && !r_count && !matches.empty()) {
      saved_search_.push_back(matches.back().message->uid);
    } else {
      for (const auto& m : matches) saved_search_.push_back(m.message->uid);
    }
    std::sort(saved_search_.begin(), saved_search_.end());
    saved_search_valid_ = true;
  }
  if (!esearch) {
    std::string line = "SEARCH";
    for (uint32_t id : ids) line += fmt::format(" {}", id);
    if (with_modseq && !ids.empty()) line += fmt::format(" (MODSEQ {})", highest);
    untagged(line);
  } else if (r_min || r_max || r_all || r_count) {
    std::string line = "ESEARCH (TAG \"" + c.tag + "\")";
    if (c.uid) line += " UID";
    if (!ids.empty()) {
      if (r_min) line += fmt::format(" MIN {}", ids.front());
      if (r_max) line += fmt::format(" MAX {}", ids.back());
      if (r_all) {
        std::vector<uint32_t> sorted = ids;
        std::sort(sorted.begin(), sorted.end());
        line += " ALL " + format_number_set(sorted);
      }
    }
    if (r_count) line += fmt::format(" COUNT {}", ids.size());
    if (with_modseq && !ids.empty()) line += fmt::format(" MODSEQ {}", highest);
    untagged(line);
  }
  ok(c, "Search completed.");
}

}  // namespace correio::imapd
