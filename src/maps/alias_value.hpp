// The value of an aliases(5) entry as postalias(1) stores it: Postfix runs each value
// through its RFC 822 tokenizer and writes it back (tok822_scan + tok822_externalize), so
// "b ,  c" is stored as "b, c" and "\\user" as "\"\\\\user\"". Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace correio::maps {

// `value` re-written from its RFC 822 tokens: runs of whitespace become one space between
// two words, none around operators, ", " after a comma, a space before '<'; quoted
// strings are re-quoted; an atom with a backslash becomes a quoted string; comments and
// domain literals stay as written.
std::string normalize_alias_value(std::string_view value);

}  // namespace correio::maps
