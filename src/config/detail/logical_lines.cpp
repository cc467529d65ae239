// Logical lines of main.cf and master.cf, the way Postfix's readlline(3) builds them.
#include "config/detail/logical_lines.hpp"

#include <fmt/format.h>

namespace correio::config::detail {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

Result<std::vector<LogicalLine>> read_logical_lines(std::string_view text,
                                                    std::string_view file_name) {
  std::vector<LogicalLine> out;
  int line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    size_t first = 0;
    while (first < line.size() && is_blank(line[first])) ++first;
    // Comment and blank lines are invisible: they neither start nor end a logical line.
    if (first == line.size() || line[first] == '#') continue;

    if (first > 0) {
      if (out.empty()) {
        return Error{fmt::format(
            "{}:{}: error: continuation line without a preceding parameter or service: \"{}\"",
            file_name, line_number, line.substr(first, 40))};
      }
      LogicalLine& current = out.back();
      if (current.text.size() + line.size() > kMaxLogicalLineLength)
        return Error{fmt::format("{}:{}: error: logical line longer than {} bytes", file_name,
                                 current.line, kMaxLogicalLineLength)};
      // The newline is deleted; the leading whitespace stays (postconf(5)).
      current.text.append(line);
      continue;
    }
    if (line.size() > kMaxLogicalLineLength)
      return Error{fmt::format("{}:{}: error: logical line longer than {} bytes", file_name,
                               line_number, kMaxLogicalLineLength)};
    out.push_back(LogicalLine{std::string(line), line_number});
  }
  return out;
}

}  // namespace correio::config::detail
