// RETR/TOP content formatting (see message_format.hpp).
#include "pop3d/message_format.hpp"

#include "base/strings.hpp"

namespace correio::pop3d {

std::string format_message(std::string_view content, std::optional<uint64_t> top_lines) {
  std::string out;
  out.reserve(content.size() + content.size() / 32 + 8);
  bool in_header = true;
  uint64_t body_lines = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    if (!in_header && top_lines && body_lines >= *top_lines) break;
    size_t lf = content.find('\n', pos);
    size_t end = lf == std::string_view::npos ? content.size() : lf;
    std::string_view line = content.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = lf == std::string_view::npos ? content.size() : lf + 1;
    // RFC 1939 §3: byte-stuff lines that start with the termination octet.
    if (!line.empty() && line.front() == '.') out += '.';
    out.append(line);
    out += "\r\n";
    if (in_header) {
      if (line.empty()) in_header = false;  // the blank line itself belongs to TOP's header
    } else {
      ++body_lines;
    }
  }
  // As Dovecot's pop3 does: a stored NUL goes out as 0x80 (a NUL would end the line for
  // clients that read C strings); one byte for one, so LIST sizes hold.
  base::replace_nul(out, 0, '\x80');
  return out;
}

}  // namespace correio::pop3d
