// POP3 command line parsing (see command.hpp).
#include "pop3d/command.hpp"

#include <cctype>
#include <charconv>
#include <limits>

namespace correio::pop3d {
namespace {

std::optional<uint64_t> parse_digits(std::string_view text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Command parse_command(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  Command command;
  size_t pos = 0;
  bool first = true;
  while (pos <= line.size()) {
    size_t space = line.find(' ', pos);
    std::string_view word =
        line.substr(pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    if (first) {
      command.verb.reserve(word.size());
      for (char c : word)
        command.verb += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      first = false;
    } else if (!word.empty()) {
      command.args.emplace_back(word);
    }
    if (space == std::string_view::npos) break;
    pos = space + 1;
  }
  return command;
}

std::optional<uint32_t> parse_message_number(std::string_view text) {
  auto value = parse_digits(text, 10);
  if (!value || *value == 0 || *value > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

std::optional<uint64_t> parse_line_count(std::string_view text) {
  return parse_digits(text, 18);
}

}  // namespace correio::pop3d
