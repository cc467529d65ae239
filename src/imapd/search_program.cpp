#include "imapd/search_program.hpp"

#include <algorithm>

#include "imapd/object_ids.hpp"
#include "mail/date.hpp"
#include "mail/header_fields.hpp"
#include "mail/message_search.hpp"
#include "mail/mime_parser.hpp"

namespace correio::imapd {
namespace {

using K = SearchKey::Kind;

std::optional<SearchKey> parse_key(Parser& p, int depth);

// The server-local midnight that begins the calendar day of `utc_midnight` (a parsed date).
int64_t local_midnight(int64_t utc_midnight) {
  time_t at = static_cast<time_t>(utc_midnight);
  struct tm tm {};
  if (gmtime_r(&at, &tm) == nullptr) return utc_midnight;
  tm.tm_isdst = -1;  // whatever the zone says for that day
  time_t local = mktime(&tm);
  return local == static_cast<time_t>(-1) ? utc_midnight : static_cast<int64_t>(local);
}

std::optional<SearchKey> parse_string_key(Parser& p, K kind) {
  if (!p.space()) return std::nullopt;
  auto value = p.astring();
  if (!value) return std::nullopt;
  SearchKey key;
  key.kind = kind;
  key.value = mail::utf8_casefold(*value);
  return key;
}

std::optional<SearchKey> parse_key(Parser& p, int depth) {
  if (depth > 100) {
    p.fail("Search program nested too deeply");
    return std::nullopt;
  }
  SearchKey key;
  if (p.consume('(')) {
    key.kind = K::and_;
    for (;;) {
      auto child = parse_key(p, depth + 1);
      if (!child) return std::nullopt;
      key.children.push_back(std::move(*child));
      if (p.consume(')')) return key;
      if (!p.space()) return std::nullopt;
    }
  }
  if (p.peek('$') || p.peek('*') ||
      (!p.rest().empty() && std::isdigit(static_cast<unsigned char>(p.rest()[0])))) {
    auto set = p.sequence_set();
    if (!set) return std::nullopt;
    key.kind = set->saved_result ? K::saved : K::sequence;
    key.set = *set;
    return key;
  }
  auto word = p.atom();
  if (!word) {
    p.fail("Invalid search key");
    return std::nullopt;
  }
  std::string u = upper(*word);
  auto flag = [&](uint8_t bit, bool negate) {
    key.kind = K::flag;
    key.flag = bit;
    key.negate_flag = negate;
    return key;
  };
  auto date_key = [&](K kind) -> std::optional<SearchKey> {
    if (!p.space()) return std::nullopt;
    auto d = p.date();
    if (!d) return std::nullopt;
    key.kind = kind;
    key.number = static_cast<uint64_t>(*d);
    key.local_start = local_midnight(*d);
    key.local_end = local_midnight(*d + 86400);
    return key;
  };
  auto number_key = [&](K kind) -> std::optional<SearchKey> {
    if (!p.space()) return std::nullopt;
    auto n = p.number();
    if (!n) return std::nullopt;
    key.kind = kind;
    key.number = *n;
    return key;
  };
  if (u == "ALL") return key;
  if (u == "ANSWERED") return flag(mailbox::kAnswered, false);
  if (u == "UNANSWERED") return flag(mailbox::kAnswered, true);
  if (u == "DELETED") return flag(mailbox::kDeleted, false);
  if (u == "UNDELETED") return flag(mailbox::kDeleted, true);
  if (u == "DRAFT") return flag(mailbox::kDraft, false);
  if (u == "UNDRAFT") return flag(mailbox::kDraft, true);
  if (u == "FLAGGED") return flag(mailbox::kFlagged, false);
  if (u == "UNFLAGGED") return flag(mailbox::kFlagged, true);
  if (u == "SEEN") return flag(mailbox::kSeen, false);
  if (u == "UNSEEN") return flag(mailbox::kSeen, true);
  if (u == "RECENT") return key.kind = K::recent, key;
  if (u == "NEW") return key.kind = K::new_, key;
  if (u == "OLD") return key.kind = K::old, key;
  if (u == "KEYWORD" || u == "UNKEYWORD") {
    auto name = p.space() ? p.atom() : std::nullopt;
    if (!name) return std::nullopt;
    key.kind = K::keyword;
    key.name = *name;
    key.negate_flag = u == "UNKEYWORD";
    return key;
  }
  if (u == "LARGER") return number_key(K::larger);
  if (u == "SMALLER") return number_key(K::smaller);
  if (u == "OLDER") return number_key(K::older);
  if (u == "YOUNGER") return number_key(K::younger);
  if (u == "BEFORE") return date_key(K::before);
  if (u == "ON") return date_key(K::on);
  if (u == "SINCE") return date_key(K::since);
  if (u == "SENTBEFORE") return date_key(K::sent_before);
  if (u == "SENTON") return date_key(K::sent_on);
  if (u == "SENTSINCE") return date_key(K::sent_since);
  if (u == "SAVEDBEFORE") return date_key(K::saved_before);
  if (u == "SAVEDON") return date_key(K::saved_on);
  if (u == "SAVEDSINCE") return date_key(K::saved_since);
  if (u == "SAVEDATESUPPORTED") return key;  // every message has a save date (RFC 8514 §4.3)
  if (u == "EMAILID" || u == "THREADID") {
    auto id = p.space() ? p.atom() : std::nullopt;
    if (!id) return std::nullopt;
    key.kind = u == "EMAILID" ? K::email_id : K::thread_id;
    key.name = *id;
    return key;
  }
  if (u == "FROM" || u == "TO" || u == "CC" || u == "BCC" || u == "SUBJECT") {
    auto k = parse_string_key(p, K::header);
    if (k) k->name = u;
    return k;
  }
  if (u == "HEADER") {
    auto name = p.space() ? p.astring() : std::nullopt;
    if (!name) return std::nullopt;
    auto k = parse_string_key(p, K::header);
    if (k) k->name = *name;
    return k;
  }
  if (u == "BODY") return parse_string_key(p, K::body);
  if (u == "TEXT") return parse_string_key(p, K::text);
  if (u == "UID") {
    auto set = p.space() ? p.sequence_set() : std::nullopt;
    if (!set) return std::nullopt;
    key.kind = set->saved_result ? K::saved : K::uid;
    key.set = *set;
    return key;
  }
  if (u == "NOT") {
    auto child = p.space() ? parse_key(p, depth + 1) : std::nullopt;
    if (!child) return std::nullopt;
    key.kind = K::not_;
    key.children.push_back(std::move(*child));
    return key;
  }
  if (u == "OR") {
    auto a = p.space() ? parse_key(p, depth + 1) : std::nullopt;
    auto b = a && p.space() ? parse_key(p, depth + 1) : std::nullopt;
    if (!b) return std::nullopt;
    key.kind = K::or_;
    key.children.push_back(std::move(*a));
    key.children.push_back(std::move(*b));
    return key;
  }
  if (u == "MODSEQ") {
    // MODSEQ [entry-name entry-type] modseq; the entry is accepted and ignored.
    if (!p.space()) return std::nullopt;
    if (p.peek('"')) {
      auto entry = p.astring();
      auto type = entry && p.space() ? p.atom() : std::nullopt;
      if (!type || !p.space()) return std::nullopt;
    }
    auto n = p.number();
    if (!n) return std::nullopt;
    key.kind = K::modseq;
    key.number = *n;
    return key;
  }
  p.fail("Unknown search key " + u);
  return std::nullopt;
}

int64_t day_of(int64_t t) {
  return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

// Whether stored time `t` falls before, on or since the key's day in the server's time zone,
// the zone INTERNALDATE is written in: RFC 3501 §6.4.4 compares dates "disregarding time
// and timezone", and Dovecot reads that as the server's local calendar day.
bool local_day_matches(int64_t t, const SearchKey& key, bool before, bool on) {
  if (before) return t < key.local_start;
  if (on) return t >= key.local_start && t < key.local_end;
  return t >= key.local_start;
}

struct ContentView {
  const std::string* raw = nullptr;
  size_t header_size = 0;
};

}  // namespace

std::optional<SearchKey> parse_search_program(Parser& p) {
  SearchKey program;
  program.kind = K::and_;
  for (;;) {
    auto key = parse_key(p, 0);
    if (!key) {
      if (p.error().empty()) p.fail("Invalid search program");
      return std::nullopt;
    }
    program.children.push_back(std::move(*key));
    if (p.at_end()) return program;
    if (!p.space()) return std::nullopt;
  }
}

bool search_needs_content(const SearchKey& key) {
  switch (key.kind) {
    case K::header:
    case K::body:
    case K::text:
    case K::sent_before:
    case K::sent_on:
    case K::sent_since:
      return true;
    default:
      return std::any_of(key.children.begin(), key.children.end(), search_needs_content);
  }
}

bool search_uses_modseq(const SearchKey& key) {
  if (key.kind == K::modseq) return true;
  return std::any_of(key.children.begin(), key.children.end(), search_uses_modseq);
}

bool search_matches(const SearchKey& key, SearchSubject& s) {
  const mailbox::MessageInfo& m = *s.message;
  auto header = [&]() -> std::string_view {
    if (s.header) return s.header();
    const std::string* raw = s.raw();
    if (raw == nullptr) return {};
    return std::string_view(*raw).substr(0, mail::find_header_end(*raw).header_size);
  };
  switch (key.kind) {
    case K::all:
      return true;
    case K::and_:
      for (const auto& child : key.children) {
        if (!search_matches(child, s)) return false;
      }
      return true;
    case K::or_:
      return search_matches(key.children[0], s) || search_matches(key.children[1], s);
    case K::not_:
      return !search_matches(key.children[0], s);
    case K::sequence:
      return key.set.contains(s.seq, s.max_seq);
    case K::uid:
      return key.set.contains(m.uid, s.max_uid);
    case K::saved:
      return s.saved != nullptr && std::binary_search(s.saved->begin(), s.saved->end(), m.uid);
    case K::flag:
      return m.flags.has(static_cast<mailbox::SystemFlag>(key.flag)) != key.negate_flag;
    case K::keyword:
      return m.flags.has_keyword(key.name) != key.negate_flag;
    case K::recent:
      return m.recent;
    case K::new_:
      return m.recent && !m.flags.has(mailbox::kSeen);
    case K::old:
      return !m.recent;
    case K::larger:
      return m.vsize > key.number;
    case K::smaller:
      return m.vsize < key.number;
    case K::before:
    case K::on:
    case K::since:
      return local_day_matches(m.internal_date, key, key.kind == K::before, key.kind == K::on);
    case K::older:
      return time(nullptr) - m.internal_date >= static_cast<int64_t>(key.number);
    case K::younger:
      return time(nullptr) - m.internal_date <= static_cast<int64_t>(key.number);
    case K::sent_before:
    case K::sent_on:
    case K::sent_since: {
      // RFC 3501 §6.4.4: the Date: header's day as its writer wrote it, in its own zone.
      // A message without a usable Date: was sent on day 0 (1970-01-01), as Dovecot has
      // it: before every date, on or since none.
      std::string date;
      mail::first_header_value(header(), "Date", date);
      int64_t sent = mail::parse_rfc5322_day(date).value_or(0);
      int64_t want = day_of(static_cast<int64_t>(key.number));
      if (key.kind == K::sent_before) return sent < want;
      if (key.kind == K::sent_on) return sent == want;
      return sent >= want;
    }
    case K::header: {
      auto values = mail::decoded_header_values(header(), key.name);
      if (key.value.empty()) return !values.empty();
      for (const auto& v : values) {
        if (mail::folded_contains(mail::utf8_casefold(v), key.value)) return true;
      }
      return false;
    }
    case K::body:
    case K::text: {
      const std::string* raw = s.raw();
      if (raw == nullptr) return false;
      if (key.kind == K::text &&
          mail::folded_contains(mail::utf8_casefold(mail::decoded_header_text(header())),
                                key.value))
        return true;
      auto root = mail::parse_mime(*raw);
      return mail::folded_contains(mail::utf8_casefold(mail::decoded_body_text(*raw, root)),
                                   key.value);
    }
    case K::modseq:
      return m.modseq >= key.number;
    case K::email_id:
      return email_object_id(m.file) == key.name;
    case K::thread_id:
      return false;
    case K::saved_before:
    case K::saved_on:
    case K::saved_since: {
      int64_t saved = save_date(m.file, s.folder).value_or(m.internal_date);
      return local_day_matches(saved, key, key.kind == K::saved_before, key.kind == K::saved_on);
    }
  }
  return false;
}

}  // namespace correio::imapd
