// Table key case folding and the UTF-8 check of keys, as Postfix's dict_utf8 layer does
// them: with smtputf8_enable = yes keys are folded with Unicode case folding and must be
// valid UTF-8; otherwise (or postmap -u) only ASCII is folded and any byte is accepted.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace correio::maps {

// `key` folded to lower case: ASCII only, or with `utf8` Unicode full case folding (ICU's
// u_strFoldCase, U_FOLD_CASE_DEFAULT: what Postfix's casefold() uses). A key that is not
// valid UTF-8 is folded as ASCII.
std::string fold_key(std::string_view key, bool utf8);

// True when `text` is well-formed UTF-8 (Postfix's valid_utf8_string(); base::is_valid_utf8).
bool valid_utf8(std::string_view text);

// `text` for a warning: bytes that are not printable ASCII nor part of valid UTF-8 become
// '?' (Postfix's printable()).
std::string printable(std::string_view text);

}  // namespace correio::maps
