// The pieces regexp:, pcre: and cidr: tables share: reading the file as Postfix's
// readllines() does, the IF/ENDIF keyword test and nesting (detail/rule_table.hpp).
#include "maps/detail/rule_table.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "base/strings.hpp"

namespace correio::maps::detail {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim_end(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<RuleLine> rule_lines(std::string_view text) {
  std::vector<RuleLine> out;
  int number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view body = base::trim(raw);
    if (body.empty() || body.front() == '#') continue;
    if (is_blank(raw.front()) && !out.empty())
      out.back().text += raw;
    else
      out.push_back({std::string(raw.substr(raw.find(body.front()))), number});
  }
  for (auto& l : out) l.text.resize(trim_end(l.text).size());
  return out;
}

Result<std::string> read_rule_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("open {}: {}", path, std::strerror(errno))};
  std::string text(kMaxRuleFileSize + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error{fmt::format("read {}: {}", path, std::strerror(errno))};
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxRuleFileSize) return Error{fmt::format("{}: file too large", path)};
  return text;
}

bool starts_with_keyword(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  if (base::to_lower(text.substr(0, word.size())) != word) return false;
  if (text.size() == word.size()) return true;
  char next = text[word.size()];
  return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
           (next >= '0' && next <= '9'));
}

void RuleWarner::operator()(int line, std::string_view text) const {
  if (warn_) warn_(fmt::format("{}, line {}: {}", label_, line, text));
}

void RuleWarner::plain(std::string_view text) const {
  if (warn_) warn_(std::string(text));
}

std::optional<size_t> RuleBlocks::close() {
  if (open_.empty()) return std::nullopt;
  size_t index = open_.back().index;
  open_.pop_back();
  return index;
}

}  // namespace correio::maps::detail
