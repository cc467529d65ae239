// dovecot-uidlist, the file that gives Maildir messages their IMAP UIDs (Dovecot's
// maildir-uidlist format, version 3; version 1 is read too). Pure parsing and formatting:
//
//   3 V<uidvalidity> N<nextuid> G<mailbox guid>        header; other fields are kept
//   <uid>[ <ext>...] :<basename>                        one per message, ascending UID
//
// <basename> is the file name without ":2,<flags>"; <ext> fields start with a letter
// (S<size>, W<vsize>, G<guid>, P<pop3 uidl>, ...) and are kept as they are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::mailbox {

struct UidlistRecord {
  uint32_t uid = 0;
  std::string ext;       // extension fields as one string ("W1234 S1200"), may be empty
  std::string basename;  // file name up to (not including) ':'
};

struct Uidlist {
  uint32_t version = 3;
  uint32_t uid_validity = 0;
  uint32_t next_uid = 1;   // already corrected: never below the last record's uid + 1
  std::string guid;        // 32 hex digits; empty in version 1 files
  std::string header_ext;  // other header fields, kept when rewriting
  std::vector<UidlistRecord> records;
  size_t parsed_bytes = 0;  // bytes of complete lines (a torn last line is not counted)
};

// Parses a whole file. A last line without '\n' (an append in progress) is ignored.
// Fails on a bad header, a malformed line or UIDs that do not ascend: Dovecot then
// treats the file as broken and so does the caller.
Result<Uidlist> parse_uidlist(std::string_view text);

// The header line (with '\n') and one record line (with '\n'), version 3.
std::string format_uidlist_header(const Uidlist& list);
std::string format_uidlist_record(const UidlistRecord& record);
// The whole file, version 3.
std::string format_uidlist(const Uidlist& list);

// The part of a Maildir file name before ":2,..." (the key in dovecot-uidlist).
std::string_view maildir_basename(std::string_view filename);

// A new mailbox GUID: 32 lowercase hex digits (16 random bytes).
std::string new_mailbox_guid();

}  // namespace correio::mailbox
