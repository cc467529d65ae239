// Postfix's source-file syntax for postmap(1) and aliases(5) (see source_file.hpp); the
// line joining is Postfix's readllines(): comments and blank lines never end an entry, and
// a continuation line is appended as it is, its leading whitespace kept.
#include "maps/source_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

#include "base/strings.hpp"
#include "maps/alias_value.hpp"
#include "maps/key_fold.hpp"

namespace correio::maps {
namespace {

struct LogicalLine {
  std::string text;
  int line = 0;
};

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Joins continuation lines; drops comments and blank lines. postmap(1): "A line that
// starts with whitespace continues a logical line" — readllines() drops only the newline,
// so "a  one\n   two" is "a  one   two" (the key and value are trimmed later).
std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  int number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view body = base::trim(raw);
    if (body.empty() || body.front() == '#') continue;
    if (is_space(raw.front()) && !out.empty())
      out.back().text += raw;
    else
      out.push_back({std::string(base::trim_left(raw)), number});
  }
  return out;
}

// The key of a postmap(1) line: up to the first whitespace outside double quotes, the
// quotes kept (Postfix 3.2 and later: "Whitespace in lookup keys is supported ... by
// surrounding the key with double quote characters"). nullopt: a quote is not closed.
std::optional<size_t> key_end(std::string_view line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '\\' && i + 1 < line.size())
      ++i;
    else if (c == '"')
      quoted = !quoted;
    else if (!quoted && is_space(c))
      return i;
  }
  if (quoted) return std::nullopt;
  return line.size();
}

// "name: value" (aliases) or "key value" (postmap); false when the line has no value.
bool split_entry(std::string_view line, SourceSyntax syntax, std::string& key, std::string& value) {
  if (syntax == SourceSyntax::kAliases) {
    size_t colon;
    if (line.front() == '"') {  // "quoted name": value
      size_t close = line.find('"', 1);
      if (close == std::string_view::npos) return false;
      colon = line.find(':', close);
      key = std::string(line.substr(1, close - 1));
    } else {
      colon = line.find(':');
      if (colon != std::string_view::npos) key = std::string(base::trim(line.substr(0, colon)));
    }
    if (colon == std::string_view::npos || key.empty()) return false;
    value = std::string(base::trim(line.substr(colon + 1)));
    return !value.empty();
  }
  size_t end = *key_end(line);
  if (end == line.size()) return false;
  key = std::string(line.substr(0, end));
  value = std::string(base::trim(line.substr(end)));
  return !value.empty();
}

}  // namespace

ParsedSource parse_source(std::string_view text, std::string_view file_name, SourceSyntax syntax,
                          bool fold_case, Duplicates duplicates, bool utf8) {
  ParsedSource out;
  std::map<std::string, size_t, std::less<>> seen;  // key -> index in out.entries
  for (auto& logical : logical_lines(text)) {
    // postmap.c: with smtputf8_enable a line that is not UTF-8 is skipped whole.
    if (utf8 && !valid_utf8(logical.text)) {
      out.warnings.push_back(
          fmt::format("{}, line {}: non-UTF-8 input \"{}\" -- ignoring this line", file_name,
                      logical.line, printable(logical.text)));
      continue;
    }
    if (syntax == SourceSyntax::kPostmap && !key_end(logical.text)) {
      out.warnings.push_back(
          fmt::format("{}, line {}: unbalanced '\"' in '{}' -- ignoring this line", file_name,
                      logical.line, logical.text));
      continue;
    }
    std::string key, value;
    if (!split_entry(logical.text, syntax, key, value)) {
      out.warnings.push_back(fmt::format("{}, line {}: {}", file_name, logical.line,
                                         syntax == SourceSyntax::kAliases
                                             ? "need name:value pair"
                                             : "expected format: key whitespace value"));
      continue;
    }
    if (fold_case) key = fold_key(key, utf8);
    if (syntax == SourceSyntax::kAliases) value = normalize_alias_value(value);
    if (auto it = seen.find(key); it != seen.end()) {
      if (duplicates == Duplicates::kReplace)
        out.entries[it->second].value = std::move(value);
      else if (duplicates == Duplicates::kWarn)
        out.warnings.push_back(
            fmt::format("{}, line {}: duplicate entry: \"{}\"", file_name, logical.line, key));
      continue;
    }
    seen.emplace(key, out.entries.size());
    out.entries.push_back({std::move(key), std::move(value), logical.line});
  }
  return out;
}

Result<ParsedSource> read_source(const std::string& path, SourceSyntax syntax, bool fold_case,
                                 Duplicates duplicates, bool utf8) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("open {}: {}", path, std::strerror(errno))};
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxSourceFileSize) return Error{fmt::format("{}: file too large", path)};
  }
  if (in.bad()) return Error{fmt::format("read {}: {}", path, std::strerror(errno))};
  return parse_source(text, path, syntax, fold_case, duplicates, utf8);
}

}  // namespace correio::maps
