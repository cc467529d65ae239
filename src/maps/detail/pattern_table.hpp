// The table behind regexp: and pcre: (Postfix's regexp_table(5), pcre_table(5)): rules
// "/pattern/flags result" with "!" negation, IF/ENDIF blocks and $1..$n substitution,
// tried in order against the whole key. The regular-expression engine is supplied by
// regexp_map.cpp (POSIX <regex.h>) or pcre_map.cpp (PCRE2). Private to src/maps.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "maps/map.hpp"

namespace correio::maps::detail {

// One pattern as written: "!/re/flags" -> {re, flags, match=false}.
struct PatternText {
  std::string regex;  // between the delimiters, backslashes kept as written
  std::string flags;
  bool match = true;  // false: the rule wants the pattern NOT to match
};

// One compiled pattern. Not thread-safe (an engine may keep match scratch space).
class Matcher {
 public:
  virtual ~Matcher() = default;
  // The number of capture groups ($1..$n that a replacement may use).
  virtual size_t groups() const = 0;
  // Whether `key` matches; on a match, when `captures` is given, it receives groups
  // 0..groups() ("" for a group that did not take part). Error: the engine gave up
  // (PCRE's match limit), a temporary failure.
  virtual Result<bool> match(const std::string& key, std::vector<std::string>* captures) = 0;
};

// Which syntax a pattern is written in (for the required-literal prefilter).
enum class RegexDialect { kPosixExtended, kPcre };

struct PatternEngine {
  std::string_view type;  // "regexp" or "pcre": the spec prefix and "TYPE map FILE" in warnings
  RegexDialect dialect;
  // regexp: also "/a/!/b/" (a matches and b does not), and '!' ends the flags.
  bool second_pattern = false;
  // Compiles one pattern; an Error's text is the warning (the rule is skipped). `note`
  // takes warnings about a pattern that is still used (pcre's obsolete X flag).
  std::function<Result<std::unique_ptr<Matcher>>(const PatternText&,
                                                 const std::function<void(std::string_view)>& note)>
      compile;
};

// The two engines (regexp_map.cpp, pcre_map.cpp).
const PatternEngine& regexp_engine();
const PatternEngine& pcre_engine();

// Opens TYPE:FILE. Bad rules are warned about through options.warn and skipped, as
// Postfix does; Error only for a file that cannot be read.
Result<std::unique_ptr<Map>> open_pattern_table(std::string_view name, const PatternEngine& engine,
                                                const MapOptions& options);

// Whether lookups skip rules by their required literals (literal_scan.hpp); kNone runs
// every engine on every key, the reference the tests compare the prefilter with.
enum class Prefilter { kScan, kNone };

// The same from the file's text (`file` names it in warnings and spec()); for the fuzzer.
std::unique_ptr<Map> pattern_table_from_text(std::string_view text, std::string_view file,
                                             const PatternEngine& engine, const MapOptions& options,
                                             Prefilter prefilter = Prefilter::kScan);

// Postfix's mac_parse() replacement text: "$1", "${1}", "$(1)", "$$" for '$'.
struct Replacement {
  struct Part {
    std::string text;  // literal text, when group == 0
    size_t group = 0;  // $group
  };
  std::vector<Part> parts;
  size_t max_group = 0;
};
// Error: the reason (`non-numeric replacement index "x"`, `empty macro name: "$"`).
Result<Replacement> parse_replacement(std::string_view text);

}  // namespace correio::maps::detail
