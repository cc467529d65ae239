// regexp: and pcre: tables without their engine (detail/pattern_table.hpp): the rule
// syntax of Postfix's dict_regexp.c and dict_pcre.c, warnings worded as Postfix words
// them, and the first-match walk with $n substitution.
#include "maps/detail/pattern_table.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"
#include "maps/detail/literal_scan.hpp"
#include "maps/detail/map_types.hpp"
#include "maps/detail/required_literal.hpp"
#include "maps/detail/rule_table.hpp"

namespace correio::maps::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
void skip_spaces(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

// One pattern from the front of `s`: '!'s (each flips the sense) and whitespace, the
// delimiter, the pattern up to the closing delimiter not preceded by '\', the flags. On
// success `s` is left after the whitespace that follows.
Result<PatternText> take_pattern(std::string_view& s, bool regexp_style) {
  // The two Postfix files word one warning differently.
  std::string_view action = regexp_style ? "skipping" : "ignoring";
  PatternText out;
  for (; !s.empty() && (s.front() == '!' || is_space(s.front())); s.remove_prefix(1))
    if (s.front() == '!') out.match = !out.match;
  if (s.empty()) return Error{"no regexp: skipping this rule"};
  char delimiter = s.front();
  s.remove_prefix(1);
  size_t i = 0;
  for (; i < s.size() && s[i] != delimiter; ++i)
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
  if (i >= s.size())
    return Error{
        fmt::format("no closing regexp delimiter \"{}\": {} this rule", delimiter, action)};
  out.regex = std::string(s.substr(0, i));
  s.remove_prefix(i + 1);
  // dict_regexp stops the flags at '!' (a second pattern) and at the delimiter too.
  while (!s.empty() && !is_space(s.front()) &&
         !(regexp_style && (s.front() == '!' || s.front() == delimiter))) {
    out.flags += s.front();
    s.remove_prefix(1);
  }
  skip_spaces(s);
  return out;
}

struct Test {
  std::unique_ptr<Matcher> matcher;
  bool match = true;
  RequiredLiteral literal;  // the engine runs only when the key contains it
  int literal_id = -1;      // its id in the table's RuleGate, -1: always run
};

struct Rule {
  std::vector<Test> tests;  // all must hold; tests[0]'s groups feed the replacement
  Replacement result;
  std::string written;  // the result as written, for written_results()
  int line = 0;
  bool is_if = false;
  size_t end = 0;
};

class PatternTable final : public Map {
 public:
  PatternTable(std::string spec, std::vector<Rule> rules, Prefilter prefilter)
      : spec_(std::move(spec)), rules_(std::move(rules)) {
    // One literal scan per lookup (literal_scan.hpp) picks the rules worth running. An
    // IF is always visited (skipping it would walk into its block); another rule is
    // gated by the literal of one test that must match for it to hold.
    for (Rule& rule : rules_) {
      int gate = -1;
      for (Test& test : rule.tests) {
        if (prefilter == Prefilter::kNone) break;
        test.literal_id = gate_.literals().add(test.literal);
        if (gate < 0 && test.match && !rule.is_if) gate = test.literal_id;
      }
      gate_.add_rule(gate);
    }
    gate_.build();
  }

  Result<std::optional<std::string>> lookup(std::string_view key) override {
    gate_.scan(key);
    std::optional<std::string> k;  // the key as the engines take it, made when one runs
    std::vector<std::string> groups;
    // first_match() (rule_table.hpp) over the rules the gate leaves: a rule it skips
    // is no IF and has a test whose literal the key lacks, so it would not match.
    const Rule* found = nullptr;
    for (size_t i = gate_.next(0); i < rules_.size();) {
      const Rule& rule = rules_[i];
      auto hit = holds(rule, key, k, groups);
      if (!hit) return hit.error();
      if (!rule.is_if && *hit) {
        found = &rule;
        break;
      }
      i = gate_.next(rule.is_if && !*hit ? rule.end : i + 1);
    }
    if (!found) return std::optional<std::string>();
    std::string value;
    for (const auto& part : found->result.parts)
      value += part.group == 0 ? part.text : part.group < groups.size() ? groups[part.group] : "";
    return std::optional<std::string>(std::move(value));
  }
  std::string spec() const override { return spec_; }
  bool fixed_keys() const override { return false; }  // DICT_FLAG_PATTERN

  Result<std::vector<std::pair<std::string, std::string>>> written_results() override {
    std::vector<std::pair<std::string, std::string>> out;
    // "pcre:/etc/x" -> "pcre map /etc/x, line N", Postfix's way of naming a rule.
    std::string label = spec_;
    if (auto colon = label.find(':'); colon != std::string::npos) label.replace(colon, 1, " map ");
    for (const Rule& rule : rules_)
      if (!rule.is_if) out.emplace_back(fmt::format("{}, line {}", label, rule.line), rule.written);
    return out;
  }

 private:
  // Whether every test of `rule` holds for `key` (`k`: its copy, made on first use).
  Result<bool> holds(const Rule& rule, std::string_view key, std::optional<std::string>& k,
                     std::vector<std::string>& groups) {
    for (size_t t = 0; t < rule.tests.size(); ++t) {
      const Test& test = rule.tests[t];
      bool want_groups = t == 0 && test.match && rule.result.max_group > 0;
      // A key without the pattern's required literal cannot match it: "no match"
      // without running the engine, which "!/re/" then inverts as usual.
      bool hit = false;
      if (gate_.found(test.literal_id)) {
        if (!k) k.emplace(key);
        auto matched = test.matcher->match(*k, want_groups ? &groups : nullptr);
        if (!matched) return matched.error();
        hit = *matched;
      }
      if (hit != test.match) return false;
    }
    return true;
  }

  std::string spec_;
  std::vector<Rule> rules_;
  RuleGate gate_;
};

// The patterns of a rule or an IF; false (after a warning) when the line is skipped.
bool take_tests(std::string_view& s, const PatternEngine& engine, const RuleWarner& warn, int line,
                std::vector<Test>& tests) {
  do {
    auto text = take_pattern(s, engine.second_pattern);
    if (!text) return (warn(line, text.error().message), false);
    auto matcher = engine.compile(*text, [&](std::string_view note) { warn(line, note); });
    if (!matcher) return (warn(line, matcher.error().message), false);
    tests.push_back({std::move(*matcher), text->match, required_literal(*text, engine.dialect)});
  } while (engine.second_pattern && tests.size() < 2 && !s.empty() && s.front() == '!');
  return true;
}

class Parser {
 public:
  Parser(const PatternEngine& engine, RuleWarner warn) : engine_(engine), warn_(std::move(warn)) {}

  void line(const RuleLine& l) {
    std::string_view s = l.text;
    if (!is_alnum(s.front())) return add_rule(s, l.line);
    if (starts_with_keyword(s, "if")) return add_if(s.substr(2), l.line);
    if (starts_with_keyword(s, "endif")) return add_endif(s.substr(5), l.line);
    warn_(l.line, "ignoring unrecognized request");
  }

  std::vector<Rule> finish() {
    for (const auto& open : blocks_.still_open()) {
      warn_(open.line, "IF has no matching ENDIF");
      rules_[open.index].end = rules_.size();
    }
    return std::move(rules_);
  }

 private:
  void add_rule(std::string_view s, int line) {
    Rule rule;
    if (!take_tests(s, engine_, warn_, line, rule.tests)) return;
    if (s.empty()) warn_(line, "no replacement text: using empty string");
    auto result = parse_replacement(s);
    if (!result) {
      if (result.error().message.starts_with("empty macro name"))
        warn_.plain(result.error().message);
      else
        warn_(line, result.error().message);
      return warn_(line, "bad replacement syntax: skipping this rule");
    }
    // A pattern that must not match has no groups to substitute.
    if (result->max_group > 0 && !rule.tests[0].match)
      return warn_(line, "$number found in negative match replacement text: skipping this rule");
    if (result->max_group > rule.tests[0].matcher->groups())
      return warn_(line, fmt::format("out of range replacement index \"{}\": skipping this rule",
                                     result->max_group));
    rule.result = std::move(*result);
    rule.written = std::string(s);
    rule.line = line;
    rules_.push_back(std::move(rule));
  }

  void add_if(std::string_view s, int line) {
    skip_spaces(s);
    Rule rule;
    rule.is_if = true;
    if (!take_tests(s, engine_, warn_, line, rule.tests)) return;
    if (!s.empty()) {
      warn_(line, fmt::format("ignoring extra text after IF statement: \"{}\"", s));
      warn_(line, "do not prepend whitespace to statements between IF and ENDIF");
    }
    blocks_.open_if(rules_.size(), line);
    rules_.push_back(std::move(rule));
  }

  void add_endif(std::string_view s, int line) {
    auto opened = blocks_.close();
    if (!opened) return warn_(line, "ignoring ENDIF without matching IF");
    skip_spaces(s);
    if (!s.empty()) warn_(line, "ignoring extra text after ENDIF");
    rules_[*opened].end = rules_.size();
  }

  const PatternEngine& engine_;
  RuleWarner warn_;
  RuleBlocks blocks_;
  std::vector<Rule> rules_;
};

}  // namespace

Result<Replacement> parse_replacement(std::string_view text) {
  Replacement out;
  auto literal = [&](std::string_view t) {
    if (out.parts.empty() || out.parts.back().group != 0) out.parts.push_back({});
    out.parts.back().text += t;
  };
  for (size_t i = 0; i < text.size();) {
    size_t dollar = text.find('$', i);
    literal(text.substr(i, dollar - i));
    if (dollar == std::string_view::npos) break;
    size_t p = dollar + 1;
    if (p < text.size() && text[p] == '$') {  // "$$" is one '$'
      literal("$");
      i = p + 1;
      continue;
    }
    std::string_view name;
    if (p < text.size() && (text[p] == '{' || text[p] == '(')) {
      char close = text[p] == '{' ? '}' : ')';
      size_t end = text.find(close, p + 1);
      if (end == std::string_view::npos)
        return Error{fmt::format("unbalanced {{ or ( in \"{}\"", text)};
      name = text.substr(p + 1, end - p - 1);
      i = end + 1;
    } else {
      size_t end = p;
      while (end < text.size() && (is_alnum(text[end]) || text[end] == '_')) ++end;
      name = text.substr(p, end - p);
      i = end;
    }
    if (name.empty()) return Error{fmt::format("empty macro name: \"{}\"", text)};
    size_t group = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || group > 1000)
        return Error{fmt::format("non-numeric replacement index \"{}\"", name)};
      group = group * 10 + static_cast<size_t>(c - '0');
    }
    if (group == 0) return Error{"out of range replacement index \"0\""};
    out.parts.push_back({"", group});
    if (group > out.max_group) out.max_group = group;
  }
  return out;
}

std::unique_ptr<Map> pattern_table_from_text(std::string_view text, std::string_view file,
                                             const PatternEngine& engine, const MapOptions& options,
                                             Prefilter prefilter) {
  Parser parser(engine, RuleWarner(fmt::format("{} map {}", engine.type, file), options));
  for (const auto& line : rule_lines(text)) parser.line(line);
  return std::make_unique<PatternTable>(fmt::format("{}:{}", engine.type, file), parser.finish(),
                                        prefilter);
}

Result<std::unique_ptr<Map>> open_pattern_table(std::string_view name, const PatternEngine& engine,
                                                const MapOptions& options) {
  std::string file(name);
  auto text = read_rule_file(file);
  if (!text) return text.error();
  return pattern_table_from_text(*text, file, engine, options);
}

}  // namespace correio::maps::detail
