// FETCH's arguments (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 8474, RFC 8514, RFC 8970,
// RFC 7162 CHANGEDSINCE/VANISHED, RFC 9394 PARTIAL) parsed into values: a pure parser,
// with no session state. Private to imapd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "imapd/parser.hpp"
#include "imapd/search_return.hpp"
#include "mail/imap_section.hpp"

namespace correio::imapd {

struct FetchItem {
  enum class Kind {
    uid,
    flags,
    internal_date,
    size,
    envelope,
    body,
    body_structure,
    modseq,
    section,      // BODY[...] / BODY.PEEK[...] / RFC822 / RFC822.HEADER / RFC822.TEXT
    binary,       // BINARY[...] / BINARY.PEEK[...]
    binary_size,  // BINARY.SIZE[...]
    email_id,     // RFC 8474 EMAILID
    thread_id,    // RFC 8474 THREADID (NIL)
    save_date,    // RFC 8514 SAVEDATE
    preview,      // RFC 8970 PREVIEW
  };
  Kind kind;
  std::string label;  // as echoed: "BODY[HEADER]", "RFC822.TEXT", ...
  mail::SectionSpec section;
  bool peek = false;
  std::optional<std::pair<uint64_t, uint64_t>> partial;  // <start.length>
  bool partial_no_length = false;
};

// Parses one FETCH item (or a macro: ALL, FAST, FULL) at the parser's position and appends
// it to `items`. False with p.error() set when the item is not understood.
bool parse_fetch_item(Parser& p, std::vector<FetchItem>& items);

// "sequence-set SP (items) [SP (modifiers)]", everything after "FETCH ".
struct FetchArgs {
  SequenceSet set;
  std::vector<FetchItem> items;
  std::optional<uint64_t> changed_since;  // RFC 7162 CHANGEDSINCE
  bool vanished = false;                  // RFC 7162 §3.2.6 VANISHED
  std::optional<PartialRange> partial;    // RFC 9394 §3.2 PARTIAL
};

// The arguments, or the text of the BAD reply ("Invalid FETCH modifiers.", ...).
Result<FetchArgs> parse_fetch_args(Parser& p);

}  // namespace correio::imapd
