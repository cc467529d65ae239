// The FETCH data items (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 8474, RFC 8514, RFC 8970)
// as parsed from a FETCH command's arguments. Private to imapd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imapd/parser.hpp"
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

}  // namespace correio::imapd
