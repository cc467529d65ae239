// SORT and THREAD (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 ESORT): the charset
// and search keys are parsed and run as SEARCH's, then the matches are ordered by sort keys
// or threaded.
#include <fmt/format.h>

#include <algorithm>

#include "imapd/search_run.hpp"
#include "imapd/session.hpp"
#include "mail/address.hpp"
#include "mail/date.hpp"
#include "mail/header_fields.hpp"
#include "mail/message_search.hpp"
#include "mail/threading.hpp"

namespace correio::imapd {

std::optional<std::vector<Match>> Session::charset_and_search(const Command& c, Parser& p,
                                                              bool needs_headers) {
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
  return matches;
}

asio::awaitable<void> Session::cmd_sort(const Command& c, Parser& p) {
  struct Criterion {
    std::string key;
    bool reverse;
  };
  std::vector<Criterion> criteria;
  // ESORT (RFC 5267 §3.2): SORT RETURN (MIN MAX ALL COUNT PARTIAL) answers with ESEARCH.
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
  if (!p.consume('(')) {
    bad(c, "Missing SORT criteria.");
    co_return;
  }
  bool reverse = false;
  while (!p.consume(')')) {
    auto word = p.atom();
    if (!word) {
      bad(c, "Invalid SORT criteria.");
      co_return;
    }
    std::string u = upper(*word);
    if (u == "REVERSE") {
      reverse = true;
    } else if (u == "ARRIVAL" || u == "CC" || u == "DATE" || u == "FROM" || u == "SIZE" ||
               u == "SUBJECT" || u == "TO" || u == "DISPLAYFROM" || u == "DISPLAYTO") {
      criteria.push_back({u, reverse});
      reverse = false;
    } else {
      bad(c, "Unknown SORT criterion " + u);
      co_return;
    }
    p.consume(' ');
  }
  if (criteria.empty() || reverse) {
    bad(c, "Invalid SORT criteria.");
    co_return;
  }
  if (!p.space()) {
    bad(c, "Missing SORT charset or search keys.");
    co_return;
  }
  bool need_header = std::any_of(criteria.begin(), criteria.end(), [](const Criterion& k) {
    return k.key != "ARRIVAL" && k.key != "SIZE";
  });
  auto found = charset_and_search(c, p, need_header);
  if (!found) co_return;
  const std::vector<Match>& matches = *found;
  // Compute each message's keys once.
  struct Row {
    Match match;
    std::vector<std::string> text_keys;
    std::vector<int64_t> number_keys;
  };
  std::vector<Row> rows;
  for (const auto& m : matches) {
    Row row{m, {}, {}};
    std::string header;
    if (need_header) {
      if (auto h = selected_->box().header(m.message->uid)) header = std::string(*h);
    }
    for (const auto& k : criteria) {
      std::string value;
      int64_t number = 0;
      if (k.key == "ARRIVAL") number = m.message->internal_date;
      if (k.key == "SIZE") number = static_cast<int64_t>(m.message->vsize);
      if (k.key == "DATE") {
        std::string date;
        mail::first_header_value(header, "Date", date);
        number = mail::sent_date(date, m.message->internal_date);
      }
      if (k.key == "SUBJECT") {
        std::string subject;
        mail::first_header_value(header, "Subject", subject);
        value = mail::utf8_casefold(mail::base_subject(subject));
      }
      if (k.key == "FROM" || k.key == "TO" || k.key == "CC") {
        std::string field;
        mail::first_header_value(header,
                                 k.key == "FROM" ? "From"
                                 : k.key == "TO" ? "To"
                                                 : "Cc",
                                 field);
        value = mail::utf8_casefold(mail::sort_key_mailbox(field));
      }
      if (k.key == "DISPLAYFROM" || k.key == "DISPLAYTO") {
        std::string field;
        mail::first_header_value(header, k.key == "DISPLAYFROM" ? "From" : "To", field);
        value = mail::utf8_casefold(mail::sort_key_display(field));
      }
      row.text_keys.push_back(std::move(value));
      row.number_keys.push_back(number);
    }
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    for (size_t i = 0; i < criteria.size(); ++i) {
      int cmp = 0;
      if (a.number_keys[i] != b.number_keys[i])
        cmp = a.number_keys[i] < b.number_keys[i] ? -1 : 1;
      else if (a.text_keys[i] != b.text_keys[i])
        cmp = a.text_keys[i] < b.text_keys[i] ? -1 : 1;
      if (cmp != 0) return criteria[i].reverse ? cmp > 0 : cmp < 0;
    }
    return a.match.seq < b.match.seq;
  });
  std::vector<uint32_t> ids;
  for (const auto& r : rows) ids.push_back(c.uid ? r.match.message->uid : r.match.seq);
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
