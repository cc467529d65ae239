// Message flags as IMAP sees them (RFC 9051 §2.3.2): five system flags and keywords.
// In a Maildir they live in the file name after ":2," (D F R S T, then one letter a..z per
// keyword, its index in dovecot-keywords). Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace correio::mailbox {

// System flags as bits. \Recent is not a stored flag: see MessageInfo::recent.
enum SystemFlag : uint8_t {
  kSeen = 1 << 0,      // \Seen      'S'
  kAnswered = 1 << 1,  // \Answered  'R'
  kFlagged = 1 << 2,   // \Flagged   'F'
  kDeleted = 1 << 3,   // \Deleted   'T' (trashed)
  kDraft = 1 << 4,     // \Draft     'D'
};

struct Flags {
  uint8_t system = 0;                 // SystemFlag bits
  std::vector<std::string> keywords;  // keyword names as given ("$Forwarded", "Junk"), no
                                      // duplicates; order not significant

  bool has(SystemFlag f) const { return (system & f) != 0; }
  bool has_keyword(std::string_view name) const;  // case-insensitive, as IMAP flags are
  // Same system flags and same keyword set (order and case of keywords ignored).
  bool same_as(const Flags& other) const;
};

// "\Seen" -> kSeen (case-insensitive); 0 for anything that is not one of the five.
uint8_t system_flag_from_name(std::string_view name);
// kSeen -> "\Seen" (exactly one bit set).
std::string_view system_flag_name(SystemFlag flag);

// A keyword is an IMAP atom (RFC 9051 §4, flag-keyword): non-empty, printable ASCII, none of
// `(){ %*"\]` and no control characters; and not longer than 128 bytes.
bool valid_keyword(std::string_view name);

}  // namespace correio::mailbox
