// The prefilter of regexp: and pcre: tables: a literal string that every match of a
// pattern must contain, found by a conservative reading of the pattern, so that a lookup
// can skip the regular-expression engine when the key does not contain it (a 1,000-rule
// header_checks then costs 1,000 memmem() calls per header, not 1,000 regex runs).
// Soundness over reach: anything not understood gives no literal. Private to src/maps.
#pragma once

#include <string>
#include <string_view>

#include "maps/detail/pattern_table.hpp"

namespace correio::maps::detail {

struct RequiredLiteral {
  std::string text;       // empty: no prefilter for this pattern
  bool caseless = false;  // compare ASCII letters without case (text is lower case then)
};

// The longest run of literal characters that every match of `pattern` contains. Postfix's
// flags are read as both engines read them: case-insensitive unless "i" toggles it; an
// "x" flag (PCRE extended syntax, POSIX basic syntax) gives no literal.
RequiredLiteral required_literal(const PatternText& pattern, RegexDialect dialect);

// Whether `key` can match: true when `literal` is empty or occurs in it. `lowered_key`
// is `key` with ASCII letters lowered, for caseless literals (computed once per lookup).
bool may_match(const RequiredLiteral& literal, std::string_view key, std::string_view lowered_key);

}  // namespace correio::maps::detail
