// SEARCH / UID SEARCH (RFC 9051 §6.4.4 with RFC 4731 ESEARCH RETURN options and RFC 5182
// SEARCHRES), SORT and THREAD (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO).
#include <fmt/format.h>

#include <algorithm>

#include "imapd/cache_fields.hpp"
#include "imapd/search_program.hpp"
#include "imapd/session.hpp"
#include "mail/address.hpp"
#include "mail/date.hpp"
#include "mail/header_fields.hpp"
#include "mail/message_search.hpp"
#include "mail/threading.hpp"

namespace correio::imapd {
namespace {

// "CHARSET x" before the keys (SEARCH), or the charset argument of SORT/THREAD.
bool charset_supported(std::string_view charset) {
  return iequals(charset, "UTF-8") || iequals(charset, "US-ASCII");
}

struct Match {
  uint32_t seq;
  const mailbox::MessageInfo* message;
};

}  // namespace

namespace {

// The message's header block: from the folder's cache (FETCH ENVELOPE fills it), else read
// from the file and cached, so header searches, SORT and THREAD read each file once.
std::optional<std::string> message_header(mailbox::Mailbox& box, uint32_t uid,
                                          const std::string* raw = nullptr) {
  if (auto hit = box.cache_get(uid, kHeaderCacheField); hit && *hit) return std::move(**hit);
  std::optional<std::string> loaded;
  if (raw == nullptr) {
    auto r = box.read_message(uid);
    if (!r) return std::nullopt;
    loaded = std::move(*r);
    raw = &*loaded;
  }
  std::string header = raw->substr(0, mail::find_header_end(*raw).header_size);
  // A failed put only means the next search reads the file again.
  (void)box.cache_put(uid, kHeaderCacheField, header);
  return header;
}

// Runs `program` over the selected folder; the matches in sequence order.
std::vector<Match> run_search(SelectedView& view, const SearchKey& program,
                              const std::vector<uint32_t>* saved) {
  std::vector<Match> matches;
  // Header searches read the cached header blocks in one index read transaction.
  std::optional<mailbox::Mailbox::CacheReader> reader;
  if (search_needs_content(program)) {
    if (auto r = view.box().cache_reader()) reader.emplace(std::move(*r));
  }
  uint32_t n = view.exists();
  // The per-message state the subject's loaders fill on demand; reset for each message
  // (one SearchSubject and its two loaders serve the whole folder).
  uint32_t uid = 0;
  std::optional<std::string> raw, header;
  bool tried = false, header_tried = false;
  std::string_view cached_header;
  SearchSubject subject;
  subject.max_seq = n;
  subject.max_uid = view.max_uid();
  subject.saved = saved;
  subject.raw = [&]() -> const std::string* {
    if (!tried) {
      tried = true;
      auto r = view.box().read_message(uid);
      if (r) raw = std::move(*r);
    }
    return raw ? &*raw : nullptr;
  };
  subject.header = [&]() -> std::string_view {
    if (!header_tried) {
      header_tried = true;
      if (reader) {
        if (auto hit = reader->get(uid, kHeaderCacheField); hit && *hit) cached_header = **hit;
      }
      if (cached_header.data() == nullptr)
        header = message_header(view.box(), uid, tried && raw ? &*raw : nullptr);
    }
    if (cached_header.data() != nullptr) return cached_header;
    return header ? std::string_view(*header) : std::string_view();
  };
  for (uint32_t seq = 1; seq <= n; ++seq) {
    const mailbox::MessageInfo* m = view.message_at(seq);
    if (m == nullptr) continue;
    uid = m->uid;
    raw.reset();
    header.reset();
    tried = header_tried = false;
    cached_header = {};
    subject.seq = seq;
    subject.message = m;
    if (search_matches(program, subject)) matches.push_back({seq, m});
  }
  return matches;
}

}  // namespace

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

asio::awaitable<void> Session::cmd_sort(const Command& c, Parser& p) {
  struct Criterion {
    std::string key;
    bool reverse;
  };
  std::vector<Criterion> criteria;
  // ESORT (RFC 5267 §3.2): SORT RETURN (MIN MAX ALL COUNT) answers with ESEARCH.
  bool esort = false, r_min = false, r_max = false, r_all = false, r_count = false;
  if (p.consume_word("RETURN")) {
    esort = true;
    if (!p.space() || !p.consume('(')) {
      bad(c, "Invalid SORT RETURN options.");
      co_return;
    }
    while (!p.consume(')')) {
      auto opt = p.atom();
      std::string u = opt ? upper(*opt) : "";
      if (u == "MIN") {
        r_min = true;
      } else if (u == "MAX") {
        r_max = true;
      } else if (u == "ALL") {
        r_all = true;
      } else if (u == "COUNT") {
        r_count = true;
      } else {
        bad(c, "Unknown SORT RETURN option " + u);
        co_return;
      }
      p.consume(' ');
    }
    if (!r_min && !r_max && !r_count) r_all = true;  // RETURN () means ALL
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
  auto charset = p.space() ? p.astring() : std::nullopt;
  if (!charset || !p.space()) {
    bad(c, "Missing SORT charset or search keys.");
    co_return;
  }
  if (!charset_supported(*charset)) {
    no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
    co_return;
  }
  auto program = parse_search_program(p);
  if (!program) {
    bad(c, "Error in IMAP command SORT: " + p.error());
    co_return;
  }
  report_changes(false);
  std::vector<uint32_t> saved = saved_search_;
  auto matches = run_search(*selected_, *program, &saved);
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
    bool need_header = std::any_of(criteria.begin(), criteria.end(), [](const Criterion& k) {
      return k.key != "ARRIVAL" && k.key != "SIZE";
    });
    if (need_header) {
      if (auto h = message_header(selected_->box(), m.message->uid)) header = std::move(*h);
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
    // MIN and MAX are the first and last in sort order; ALL keeps the sort order, runs
    // of consecutive ascending numbers written as ranges (RFC 5267 §3.2).
    std::string line = "ESEARCH (TAG \"" + c.tag + "\")";
    if (c.uid) line += " UID";
    if (!ids.empty()) {
      if (r_min) line += fmt::format(" MIN {}", ids.front());
      if (r_max) line += fmt::format(" MAX {}", ids.back());
    }
    if (r_all && !ids.empty()) line += " ALL " + format_number_set(ids);
    if (r_count) line += fmt::format(" COUNT {}", ids.size());
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
  auto charset = p.space() ? p.astring() : std::nullopt;
  if (!charset || !p.space()) {
    bad(c, "Missing THREAD charset or search keys.");
    co_return;
  }
  if (!charset_supported(*charset)) {
    no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
    co_return;
  }
  auto program = parse_search_program(p);
  if (!program) {
    bad(c, "Error in IMAP command THREAD: " + p.error());
    co_return;
  }
  report_changes(false);
  std::vector<uint32_t> saved = saved_search_;
  auto matches = run_search(*selected_, *program, &saved);
  std::vector<mail::ThreadMessage> messages;
  for (const auto& m : matches) {
    mail::ThreadMessage t;
    t.id = c.uid ? m.message->uid : m.seq;
    std::string date;
    if (auto h = message_header(selected_->box(), m.message->uid)) {
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
