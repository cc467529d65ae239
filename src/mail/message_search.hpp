// Text views of a message for IMAP SEARCH (RFC 3501 §6.4.4 / RFC 9051 §6.4.4): decoded
// header values, decoded body text, and a case-insensitive UTF-8 substring match close to
// i;unicode-casemap (RFC 5051). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail/mime_parser.hpp"

namespace correio::mail {

// All values of header `name` in `header`, unfolded and RFC 2047-decoded to UTF-8.
std::vector<std::string> decoded_header_values(std::string_view header, std::string_view name);

// The whole header block with every field unfolded and decoded ("Name: value\n" lines),
// for SEARCH TEXT.
std::string decoded_header_text(std::string_view header);

// The text of every text/* leaf part (also inside message/rfc822 and multipart),
// transfer-decoded and charset-converted to UTF-8, joined by "\n". Non-text parts are
// skipped (Dovecot without fts does the same). `max_bytes` bounds the output.
std::string decoded_body_text(std::string_view raw, const MimePart& root,
                              std::size_t max_bytes = 64 * 1024 * 1024);

// Folds UTF-8 text for case-insensitive comparison: ASCII, Latin-1 Supplement, Latin
// Extended-A, Greek and Cyrillic letters to lowercase; ß stays; invalid bytes -> U+FFFD.
std::string utf8_casefold(std::string_view text);

// i;ascii-casemap (RFC 4790 §9.2), IMAP-SORT's collation: a-z upper-cased, every other
// octet kept, so that comparing the results octet by octet orders as the collation does.
std::string ascii_casemap(std::string text);

// True when `needle` occurs in `haystack` after utf8_casefold() of both (an empty needle
// matches). Callers searching many messages should fold the needle once and use
// folded_contains().
bool utf8_contains_ci(std::string_view haystack, std::string_view needle);
bool folded_contains(std::string_view folded_haystack, std::string_view folded_needle);

}  // namespace correio::mail
