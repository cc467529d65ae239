// SORT criteria and ordering (see sort_order.hpp): each message's keys are computed once,
// then a stable sort compares them criterion by criterion.
#include "imapd/sort_order.hpp"

#include <algorithm>

#include "mail/address.hpp"
#include "mail/date.hpp"
#include "mail/header_fields.hpp"
#include "mail/message_search.hpp"
#include "mail/threading.hpp"

namespace correio::imapd {

std::optional<std::vector<SortCriterion>> parse_sort_criteria(Parser& p) {
  // The error texts are Dovecot's (imap-sort's get_sort_program).
  std::vector<SortCriterion> criteria;
  if (!p.consume('(')) {
    p.fail("Invalid sort argument");
    return std::nullopt;
  }
  bool reverse = false;
  while (!p.consume(')')) {
    if (p.at_end()) {
      p.fail("Missing ')'");
      return std::nullopt;
    }
    auto word = p.atom();
    if (!word) {
      p.fail("Invalid sort argument");
      return std::nullopt;
    }
    std::string u = upper(*word);
    if (u == "REVERSE") {
      reverse = true;
    } else if (u == "ARRIVAL" || u == "CC" || u == "DATE" || u == "FROM" || u == "SIZE" ||
               u == "SUBJECT" || u == "TO" || u == "DISPLAYFROM" || u == "DISPLAYTO") {
      criteria.push_back({u, reverse});
      reverse = false;
    } else {
      p.fail("Unknown sort argument: " + *word);
      return std::nullopt;
    }
    p.consume(' ');
  }
  if (reverse) {
    p.fail("Sort list ends with REVERSE");
    return std::nullopt;
  }
  if (criteria.empty()) {
    p.fail("Empty sort program");
    return std::nullopt;
  }
  return criteria;
}

namespace {

struct Row {
  Match match;
  std::vector<std::string> text_keys;
  std::vector<int64_t> number_keys;
};

std::string address_key(std::string_view header, const std::string& key) {
  std::string field;
  if (key == "FROM" || key == "TO" || key == "CC") {
    mail::first_header_value(header, key == "FROM" ? "From" : key == "TO" ? "To" : "Cc", field);
    return mail::ascii_casemap(mail::sort_key_mailbox(field));
  }
  mail::first_header_value(header, key == "DISPLAYFROM" ? "From" : "To", field);
  return mail::ascii_casemap(mail::sort_key_display(field));
}

Row make_row(mailbox::Mailbox& box, const std::vector<SortCriterion>& criteria, const Match& m) {
  Row row{m, {}, {}};
  std::string header;
  bool need_header = std::any_of(criteria.begin(), criteria.end(), [](const SortCriterion& k) {
    return k.key != "ARRIVAL" && k.key != "SIZE";
  });
  if (need_header) {
    if (auto h = box.header(m.message->uid)) header = std::string(*h);
  }
  for (const auto& k : criteria) {
    std::string value;
    int64_t number = 0;
    if (k.key == "ARRIVAL") {
      number = m.message->internal_date;
    } else if (k.key == "SIZE") {
      number = static_cast<int64_t>(m.message->vsize);
    } else if (k.key == "DATE") {
      std::string date;
      mail::first_header_value(header, "Date", date);
      number = mail::sent_date(date, m.message->internal_date);
    } else if (k.key == "SUBJECT") {
      std::string subject;
      mail::first_header_value(header, "Subject", subject);
      value = mail::ascii_casemap(mail::base_subject(subject));
    } else {
      value = address_key(header, k.key);
    }
    row.text_keys.push_back(std::move(value));
    row.number_keys.push_back(number);
  }
  return row;
}

}  // namespace

std::vector<Match> sort_matches(mailbox::Mailbox& box, const std::vector<SortCriterion>& criteria,
                                const std::vector<Match>& matches) {
  std::vector<Row> rows;
  rows.reserve(matches.size());
  for (const auto& m : matches) rows.push_back(make_row(box, criteria, m));
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
  std::vector<Match> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.match);
  return out;
}

}  // namespace correio::imapd
