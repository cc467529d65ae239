// Postfix's readlline(3) for main.cf and master.cf: joins continuation lines into logical
// lines. Private to src/config; the public parsers are MainCf::parse and parse_master_cf.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::config::detail {

struct LogicalLine {
  std::string text;  // physical lines joined, newlines deleted, leading whitespace kept
  int line = 0;      // number of the first physical line
};

// A line whose first non-blank character is '#' is a comment and a line of only blanks
// is empty; both are skipped and neither ends a logical line. A line that starts with
// a blank continues the previous logical line. A continuation line with nothing to
// continue is an error "FILE:LINE: error: ...". Lines longer than kMaxLineLength are
// an error too: configuration files are small, and a limit keeps memory bounded.
inline constexpr size_t kMaxLogicalLineLength = 1 << 20;

Result<std::vector<LogicalLine>> read_logical_lines(std::string_view text,
                                                    std::string_view file_name);

}  // namespace correio::config::detail
