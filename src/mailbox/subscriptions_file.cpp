// Dovecot's subscriptions file (see subscriptions_file.hpp).
#include "mailbox/subscriptions_file.hpp"

namespace correio::mailbox {
namespace {

constexpr std::string_view kHeader = "V\t2\n\n";

std::string tab_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\001' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    out += c == '1' ? '\001' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'n' ? '\n' : c;
  }
  return out;
}

std::string tab_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\001')
      out += "\0011";
    else if (c == '\t')
      out += "\001t";
    else if (c == '\r')
      out += "\001r";
    else if (c == '\n')
      out += "\001n";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> parse_subscriptions(std::string_view text, char separator) {
  bool v2 = text.starts_with(kHeader);
  if (v2) text.remove_prefix(kHeader.size());
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty()) continue;
    if (!v2) {
      out.emplace_back(line);
      continue;
    }
    std::string name;
    while (true) {
      size_t tab = line.find('\t');
      name += tab_unescape(line.substr(0, tab));
      if (tab == std::string_view::npos) break;
      name += separator;
      line.remove_prefix(tab + 1);
    }
    out.push_back(std::move(name));
  }
  return out;
}

std::string format_subscriptions(const std::vector<std::string>& names, char separator) {
  std::string out(kHeader);
  for (const auto& name : names) {
    std::string_view rest = name;
    while (true) {
      size_t sep = rest.find(separator);
      out += tab_escape(rest.substr(0, sep));
      if (sep == std::string_view::npos) break;
      out += '\t';
      rest.remove_prefix(sep + 1);
    }
    out += '\n';
  }
  return out;
}

}  // namespace correio::mailbox
