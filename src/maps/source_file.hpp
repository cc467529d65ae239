// Reading a lookup table's source text (what postmap, postalias and texthash: read):
// '#' comment lines and blank lines are skipped, a line starting with whitespace
// continues the previous one, keys are lower-cased unless told not to. Pure functions over
// caller-owned text; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "maps/map.hpp"

namespace correio::maps {

struct SourceEntry {
  std::string key;
  std::string value;
  int line = 0;  // where the logical line starts (1-based)
};

struct ParsedSource {
  std::vector<SourceEntry> entries;   // in file order of first appearance, no duplicates
  std::vector<std::string> warnings;  // "FILE, line N: expected format: key whitespace value"
};

// What a key seen again does (Postfix's DICT_FLAG_DUP_WARN, postmap -w and postmap -r).
enum class Duplicates {
  kWarn,     // the first value stays, with a "duplicate entry" warning (the default)
  kIgnore,   // the first value stays, silently (postmap -w)
  kReplace,  // the last value wins, silently (postmap -r)
};

// Parses `text`; `file_name` only appears in warnings. Bad lines are warned about and
// skipped; duplicates are handled as `duplicates` says. `utf8` (smtputf8_enable without
// postmap -u): lines that are not UTF-8 are skipped, keys get Unicode case folding.
// aliases(5) values come back as postalias stores them (see alias_value.hpp).
ParsedSource parse_source(std::string_view text, std::string_view file_name, SourceSyntax syntax,
                          bool fold_case = true, Duplicates duplicates = Duplicates::kWarn,
                          bool utf8 = false);

// Reads and parses a source file. Error: the file cannot be read.
Result<ParsedSource> read_source(const std::string& path, SourceSyntax syntax,
                                 bool fold_case = true, Duplicates duplicates = Duplicates::kWarn,
                                 bool utf8 = false);

// Largest source file accepted (a generous bound; the whole file is held in memory).
inline constexpr size_t kMaxSourceFileSize = size_t{1} << 30;

}  // namespace correio::maps
