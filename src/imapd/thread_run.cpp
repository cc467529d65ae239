// THREAD's run (see thread_run.hpp): one mail::ThreadMessage per match, then the
// algorithm of mail/threading.cpp.
#include "imapd/thread_run.hpp"

#include "mail/date.hpp"
#include "mail/header_fields.hpp"
#include "mail/threading.hpp"

namespace correio::imapd {

std::string thread_matches(mailbox::Mailbox& box, ThreadAlgorithm algorithm,
                           const std::vector<Match>& matches, bool uid) {
  std::vector<mail::ThreadMessage> messages;
  messages.reserve(matches.size());
  for (const Match& m : matches) {
    mail::ThreadMessage t;
    t.id = uid ? m.message->uid : m.seq;
    std::string date;
    if (auto h = box.header(m.message->uid)) {
      std::string_view header = *h;
      mail::first_header_value(header, "Message-ID", t.message_id);
      mail::first_header_value(header, "References", t.references);
      mail::first_header_value(header, "In-Reply-To", t.in_reply_to);
      mail::first_header_value(header, "Subject", t.subject);
      mail::first_header_value(header, "Date", date);
    }
    // RFC 5256 §2.2: the Date: header, else the internal date.
    t.sent_date = mail::sent_date(date, m.message->internal_date);
    messages.push_back(std::move(t));
  }
  return algorithm == ThreadAlgorithm::references ? mail::thread_references(messages)
                                                  : mail::thread_orderedsubject(messages);
}

}  // namespace correio::imapd
