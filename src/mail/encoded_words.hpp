// RFC 2047 encoded words and charset conversion to UTF-8 (iconv). Pure functions; each call
// opens its own iconv descriptor, so they are thread-safe. Never throw on bad input:
// undecodable words are left as written, invalid bytes become U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace correio::mail {

// Converts `text` in `charset` (any name iconv knows; case-insensitive; RFC 2231/2047
// "*language" suffix allowed) to UTF-8. Unknown charsets: the bytes are kept when they are
// valid UTF-8, otherwise each invalid byte becomes U+FFFD (as Dovecot does for unknown
// charsets in SEARCH). us-ascii and utf-8 are validated without iconv.
std::string charset_to_utf8(std::string_view text, std::string_view charset);

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string sanitize_utf8(std::string_view text);

// Decodes every RFC 2047 encoded word (=?charset?B|Q?text?=) in an unstructured header
// value to UTF-8; whitespace between two adjacent encoded words is dropped (§6.2). Other
// text is passed through sanitize_utf8. The value should be unfolded first.
std::string decode_encoded_words(std::string_view value);

}  // namespace correio::mail
