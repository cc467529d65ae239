// IMAP SEARCH keys (RFC 9051 §6.4.4, RFC 7162 MODSEQ, RFC 5182 "$", RFC 5032 OLDER/YOUNGER)
// parsed into a tree and evaluated one message at a time. Content is loaded only when a
// key needs it (header or body text), once per message. Private to imapd.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "imapd/parser.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

struct SearchKey {
  enum class Kind {
    all,
    and_,
    or_,
    not_,
    sequence,
    uid,
    saved,  // sequence-set, UID set, "$"
    flag,
    keyword,
    recent,
    new_,
    old,
    larger,
    smaller,
    before,
    on,
    since,  // INTERNALDATE, by day
    sent_before,
    sent_on,
    sent_since,
    older,
    younger,  // seconds (WITHIN)
    header,
    body,
    text,
    modseq,
    email_id,   // RFC 8474 EMAILID
    thread_id,  // RFC 8474 THREADID: never matches, THREADID is NIL
    saved_before,
    saved_on,
    saved_since,  // RFC 8514, the save date's day
  };
  Kind kind = Kind::all;
  bool negate_flag = false;  // UNSEEN, UNKEYWORD, ...
  uint8_t flag = 0;
  std::string name;     // keyword, header name
  std::string value;    // string to look for (UTF-8, already case-folded when searched)
  uint64_t number = 0;  // size, modseq, seconds, day (UTC midnight)
  // BEFORE/ON/SINCE/SAVED*: the date's day in the server's time zone as [start, end), found
  // once at parse time so that each message costs a comparison, not a localtime_r().
  int64_t local_start = 0, local_end = 0;
  SequenceSet set;
  std::vector<SearchKey> children;
};

// Parses search keys up to the end of the command (the charset is the caller's), AND-ed.
std::optional<SearchKey> parse_search_program(Parser& p);

// What evaluation needs about one message.
struct SearchSubject {
  uint32_t seq = 0;
  const mailbox::MessageInfo* message = nullptr;
  uint32_t max_seq = 0;
  uint32_t max_uid = 0;
  const std::vector<uint32_t>* saved = nullptr;  // "$" result (UIDs); nullptr: none
  std::filesystem::path folder;                  // the folder's directory (SAVEDATE)
  std::function<const std::string*()> raw;       // the message bytes, loaded on demand
  std::function<std::string_view()> header;      // its header block (cached), on demand
};

bool search_matches(const SearchKey& key, SearchSubject& subject);
// Whether evaluation may need the message content (so callers can preload).
bool search_needs_content(const SearchKey& key);
// Whether the program contains a MODSEQ key (RFC 7162: SEARCH results carry MODSEQ).
bool search_uses_modseq(const SearchKey& key);

}  // namespace correio::imapd
