// dovecot-keywords and Maildir file-name flags (see keywords_file.hpp).
#include "mailbox/keywords_file.hpp"

#include <algorithm>
#include <charconv>

#include "mailbox/flags.hpp"

namespace correio::mailbox {
namespace {

// Maildir letters of the IMAP system flags (maildir(5)).
struct Letter {
  char letter;
  uint8_t flag;
};
constexpr Letter kSystemLetters[] = {
    {'D', kDraft}, {'F', kFlagged}, {'R', kAnswered}, {'S', kSeen}, {'T', kDeleted}};

}  // namespace

std::vector<std::string> parse_keywords_file(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp + 1 == line.size()) continue;
    unsigned index = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + sp, index);
    if (ec != std::errc() || p != line.data() + sp || index >= kMaxKeywords) continue;
    if (out.size() <= index) out.resize(index + 1);
    out[index] = std::string(line.substr(sp + 1));
  }
  return out;
}

std::string format_keywords_file(const std::vector<std::string>& keywords) {
  std::string out;
  for (size_t i = 0; i < keywords.size() && i < kMaxKeywords; ++i)
    if (!keywords[i].empty()) out += std::to_string(i) + " " + keywords[i] + "\n";
  return out;
}

FilenameFlags parse_filename_flags(std::string_view filename) {
  FilenameFlags out;
  size_t info = filename.find(":2,");
  if (info == std::string_view::npos) return out;
  for (char c : filename.substr(info + 3)) {
    if (c >= 'a' && c <= 'z') {
      out.keywords |= 1u << (c - 'a');
      continue;
    }
    auto it = std::find_if(std::begin(kSystemLetters), std::end(kSystemLetters),
                           [c](const Letter& l) { return l.letter == c; });
    if (it != std::end(kSystemLetters))
      out.system |= it->flag;
    else if (c != ',' && out.other.find(c) == std::string::npos)
      out.other += c;
  }
  return out;
}

std::string format_filename_info(const FilenameFlags& flags) {
  std::string letters = flags.other;
  for (const Letter& l : kSystemLetters)
    if (flags.system & l.flag) letters += l.letter;
  for (unsigned i = 0; i < kMaxKeywords; ++i)
    if (flags.keywords & (1u << i)) letters += static_cast<char>('a' + i);
  std::sort(letters.begin(), letters.end());
  return ":2," + letters;
}

std::string filename_with_flags(std::string_view basename, const FilenameFlags& flags) {
  return std::string(basename) + format_filename_info(flags);
}

}  // namespace correio::mailbox
