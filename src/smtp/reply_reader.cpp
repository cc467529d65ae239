// Parsing server replies for the SMTP client (RFC 5321 §4.2, RFC 3463 §2).
#include "smtp/reply_reader.hpp"

#include <cctype>

namespace correio::smtp {
namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 3463 §2: class "." subject "." detail, subject and detail 1 to 3 digits.
size_t number_end(std::string_view s, size_t pos) {
  size_t end = pos;
  while (end < s.size() && end - pos < 4 && digit(s[end])) ++end;
  return end;
}

}  // namespace

std::string enhanced_code_of(int code, std::string_view text) {
  if (text.size() < 5 || text[0] != static_cast<char>('0' + code / 100) || text[1] != '.')
    return {};
  size_t subject_end = number_end(text, 2);
  if (subject_end == 2 || subject_end - 2 > 3 || subject_end >= text.size() ||
      text[subject_end] != '.')
    return {};
  size_t detail_end = number_end(text, subject_end + 1);
  if (detail_end == subject_end + 1 || detail_end - subject_end - 1 > 3) return {};
  if (detail_end < text.size() && text[detail_end] != ' ') return {};
  return std::string(text.substr(0, detail_end));
}

ReplyReader::State ReplyReader::add_line(std::string_view line) {
  // RFC 5321 §4.2: three digits, then "-" (more lines follow), " " or nothing (last line).
  if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]) || line[0] < '2' ||
      line[0] > '5')
    return State::bad;
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  bool last = line.size() == 3 || line[3] == ' ';
  if (!last && line[3] != '-') return State::bad;
  // §4.2.1: every line carries the same code.
  if (started_ && code != reply_.code) return State::bad;
  if (!started_) {
    reply_.code = code;
    reply_.lines.clear();
    started_ = true;
  }
  if (reply_.lines.size() >= kMaxLines) return State::bad;
  reply_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  if (!last) return State::more;
  reply_.enhanced = enhanced_code_of(code, reply_.lines.front());
  return State::done;
}

Reply ReplyReader::take() {
  Reply out = std::move(reply_);
  reset();
  return out;
}

void ReplyReader::reset() {
  reply_ = Reply();
  reply_.lines.clear();
  started_ = false;
}

std::string reply_text(const Reply& reply) {
  std::string out;
  for (size_t i = 0; i < reply.lines.size(); ++i) {
    if (i) out += ' ';
    out += std::to_string(reply.code);
    out += i + 1 < reply.lines.size() ? '-' : ' ';
    out += reply.lines[i];
  }
  if (reply.lines.empty()) out = std::to_string(reply.code);
  return out;
}

}  // namespace correio::smtp
