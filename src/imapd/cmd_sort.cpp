// SORT and THREAD (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 ESORT and
// CONTEXT=SORT): the charset and search keys are parsed and run as SEARCH's, then the
// matches are ordered (sort_order.cpp) or threaded.
#include <fmt/format.h>

#include <algorithm>

#include "imapd/search_run.hpp"
#include "imapd/session.hpp"
#include "imapd/sort_order.hpp"
#include "mail/address.hpp"
#include "mail/date.hpp"
#include "mail/header_fields.hpp"
#include "mail/message_search.hpp"
#include "mail/threading.hpp"

namespace correio::imapd {

std::optional<std::vector<Match>> Session::charset_and_search(const Command& c, Parser& p,
                                                              bool needs_headers,
                                                              SearchKey* program_out) {
  auto charset = p.astring();
  if (!charset || !p.space()) {
    bad(c, "Missing " + c.name + " charset or search keys.");
    return std::nullopt;
  }
  if (!charset_supported(*charset)) {
    no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
    return std::nullopt;
  }
  auto program = parse_search_program(p);
  if (!program) {
    bad(c, "Error in IMAP command " + c.name + ": " + p.error());
    return std::nullopt;
  }
  report_changes(false);
  std::vector<uint32_t> saved = saved_search_;
  std::vector<Match> matches = run_search(*selected_, *program, &saved);
  if (needs_headers) {
    // The store computes the header blocks a cold cache lacks on all cores at once.
    std::vector<uint32_t> uids;
    uids.reserve(matches.size());
    for (const Match& m : matches) uids.push_back(m.message->uid);
    selected_->box().prefetch(std::move(uids), mailbox::kCacheHeader);
  }
  if (program_out != nullptr) *program_out = std::move(*program);
  return matches;
}

asio::awaitable<void> Session::cmd_sort(const Command& c, Parser& p) {
  // ESORT (RFC 5267 §3.2): SORT RETURN (MIN MAX ALL COUNT PARTIAL) answers with ESEARCH;
  // CONTEXT=SORT (RFC 5267 §4) adds UPDATE and CONTEXT.
  bool esort = false;
  ReturnOptions r;
  if (p.consume_word("RETURN")) {
    esort = true;
    auto options = p.space() ? parse_return_options(p, false) : std::nullopt;
    if (!options) {
      bad(c, "Error in IMAP command SORT: " + p.error());
      co_return;
    }
    r = std::move(*options);
    if (!p.space()) {
      bad(c, "Missing SORT criteria.");
      co_return;
    }
  }
  auto criteria = parse_sort_criteria(p);
  if (!criteria) {
    bad(c, p.error() + ".");
    co_return;
  }
  if (!p.space()) {
    bad(c, "Missing SORT charset or search keys.");
    co_return;
  }
  bool need_header = std::any_of(criteria->begin(), criteria->end(), [](const SortCriterion& k) {
    return k.key != "ARRIVAL" && k.key != "SIZE";
  });
  SearchKey program;
  auto found = charset_and_search(c, p, need_header, &program);
  if (!found) co_return;
  std::vector<Match> sorted = sort_matches(selected_->box(), *criteria, *found);
  if (r.update && !start_search_update(c, std::move(program), sorted, *criteria)) {
    bad(c, "Error in IMAP command SORT: The tag already names an UPDATE search.");
    co_return;
  }
  std::vector<uint32_t> ids;
  for (const auto& m : sorted) ids.push_back(c.uid ? m.message->uid : m.seq);
  if (!esort) {
    std::string line = "SORT";
    for (uint32_t id : ids) line += fmt::format(" {}", id);
    untagged(line);
  } else {
    // MIN and MAX are the first and last in sort order; ALL and PARTIAL keep the sort
    // order, runs of consecutive ascending numbers written as ranges (RFC 5267 §3.2).
    std::string line = "ESEARCH (TAG \"" + c.tag + "\")";
    if (c.uid) line += " UID";
    line += esearch_return_data(ids, r, false);
    untagged(line);
  }
  ok(c, "Sort completed.");
}

asio::awaitable<void> Session::cmd_thread(const Command& c, Parser& p) {
  auto algorithm = p.atom();
  std::string alg = algorithm ? upper(*algorithm) : "";
  if (alg != "REFERENCES" && alg != "ORDEREDSUBJECT") {
    bad(c, "Unknown THREAD algorithm.");
    co_return;
  }
  if (!p.space()) {
    bad(c, "Missing THREAD charset or search keys.");
    co_return;
  }
  auto found = charset_and_search(c, p, true);
  if (!found) co_return;
  const std::vector<Match>& matches = *found;
  std::vector<mail::ThreadMessage> messages;
  for (const auto& m : matches) {
    mail::ThreadMessage t;
    t.id = c.uid ? m.message->uid : m.seq;
    std::string date;
    if (auto h = selected_->box().header(m.message->uid)) {
      std::string_view header = *h;
      mail::first_header_value(header, "Message-ID", t.message_id);
      mail::first_header_value(header, "References", t.references);
      mail::first_header_value(header, "In-Reply-To", t.in_reply_to);
      mail::first_header_value(header, "Subject", t.subject);
      mail::first_header_value(header, "Date", date);
    }
    t.sent_date = mail::sent_date(date, m.message->internal_date);
    messages.push_back(std::move(t));
  }
  std::string threads = alg == "REFERENCES" ? mail::thread_references(messages)
                                            : mail::thread_orderedsubject(messages);
  untagged("THREAD" + (threads.empty() ? std::string() : " " + threads));
  ok(c, "Thread completed.");
}

}  // namespace correio::imapd
