// Formats SMTP replies (RFC 5321 §4.2.1, RFC 2034 §3).
#include "smtp/reply.hpp"

#include <fmt/format.h>

namespace correio::smtp {

std::string Reply::to_wire(bool enhanced_status_codes) const {
  std::string out;
  const std::vector<std::string> empty_line{""};
  const auto& text_lines = lines.empty() ? empty_line : lines;
  for (size_t i = 0; i < text_lines.size(); ++i) {
    char separator = i + 1 < text_lines.size() ? '-' : ' ';
    if (enhanced_status_codes && !enhanced.empty())
      out += fmt::format("{}{}{} {}\r\n", code, separator, enhanced, text_lines[i]);
    else
      out += fmt::format("{}{}{}\r\n", code, separator, text_lines[i]);
  }
  return out;
}

}  // namespace correio::smtp
