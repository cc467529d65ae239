// What regexp:, pcre: and cidr: tables share (Postfix's dict_regexp, dict_pcre,
// dict_cidr): the file read as logical lines, "if PATTERN" ... "endif" blocks, and rules
// tried in file order where the first match wins. Private to src/maps; thread-safe
// (pure functions and values).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "maps/map.hpp"

namespace correio::maps::detail {

// Largest pattern-table file read (each rule is compiled and held in memory).
inline constexpr size_t kMaxRuleFileSize = size_t{16} << 20;

struct RuleLine {
  std::string text;  // the logical line, trailing whitespace removed
  int line = 0;      // where it starts (1-based), for messages
};

// Postfix's readllines(): '#' comment lines and blank lines are skipped, a line that
// starts with whitespace continues the previous one and is appended verbatim (the
// newline dropped, its whitespace kept — a regexp can see it).
std::vector<RuleLine> rule_lines(std::string_view text);

// Reads a whole table file. Error: unreadable or larger than kMaxRuleFileSize.
Result<std::string> read_rule_file(const std::string& path);

// True when `text` starts with `word` (any case) not followed by a letter or digit:
// Postfix's test for the IF and ENDIF statements.
bool starts_with_keyword(std::string_view text, std::string_view word);

// Sends "LABEL, line N: TEXT" to options.warn, e.g. "regexp map /etc/x, line 3: ...".
class RuleWarner {
 public:
  RuleWarner(std::string label, const MapOptions& options)
      : label_(std::move(label)), warn_(options.warn) {}
  void operator()(int line, std::string_view text) const;
  // Without the "LABEL, line N: " prefix (Postfix's mac_parse() warns that way).
  void plain(std::string_view text) const;

 private:
  std::string label_;
  std::function<void(const std::string&)> warn_;
};

// The if/endif nesting while a table is parsed: each "if" is opened with its rule index,
// each "endif" closes the innermost one, and the caller sets that rule's `end`.
class RuleBlocks {
 public:
  void open_if(size_t index, int line) { open_.push_back({index, line}); }
  // For an "endif": the index of the "if" it closes; nullopt when none is open.
  std::optional<size_t> close();
  struct Open {
    size_t index;
    int line;
  };
  // The "if"s still open (at the end of the file they end there).
  const std::vector<Open>& still_open() const { return open_; }

 private:
  std::vector<Open> open_;
};

// Walks `rules` (each with bool is_if and size_t end) and returns the first match rule
// `test` accepts, or nullptr; an "if" whose test fails skips to its end. An Error from
// `test` stops the walk.
template <typename Rule, typename Test>
Result<const Rule*> first_match(const std::vector<Rule>& rules, Test&& test) {
  for (size_t i = 0; i < rules.size();) {
    const Rule& rule = rules[i];
    Result<bool> hit = test(rule);
    if (!hit) return hit.error();
    if (rule.is_if) {
      i = *hit ? i + 1 : rule.end;
      continue;
    }
    if (*hit) return &rule;
    ++i;
  }
  return static_cast<const Rule*>(nullptr);
}

}  // namespace correio::maps::detail
