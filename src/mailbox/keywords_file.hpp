// dovecot-keywords and the flag letters of Maildir file names (Dovecot's maildir-keywords
// and maildir-filename-flags). Pure functions.
//
//   dovecot-keywords:  "<index> <name>\n" lines, index 0..25 = letters 'a'..'z'
//   file name:         "<base>:2,<flags>", flags sorted: system letters D F P R S T (and any
//                      other upper-case or unknown letters, kept), then keyword letters
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace correio::mailbox {

inline constexpr size_t kMaxKeywords = 26;

// Index -> name; an empty string is an unused index. Lines that are not "<0..25> <name>"
// are skipped, as Dovecot does.
std::vector<std::string> parse_keywords_file(std::string_view text);
std::string format_keywords_file(const std::vector<std::string>& keywords);

// The flags in a Maildir file name, in Maildir terms.
struct FilenameFlags {
  uint8_t system = 0;     // SystemFlag bits from D F R S T
  uint32_t keywords = 0;  // bit i = letter 'a' + i
  std::string other;      // letters Correio does not interpret (e.g. 'P'), kept
};

// Parses the part after ":2," ("" when the name has none).
FilenameFlags parse_filename_flags(std::string_view filename);
// ":2," + sorted letters.
std::string format_filename_info(const FilenameFlags& flags);
// `basename` + format_filename_info(flags).
std::string filename_with_flags(std::string_view basename, const FilenameFlags& flags);

}  // namespace correio::mailbox
