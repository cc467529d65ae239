// UTF-8 validity (RFC 3629): the one checker smtpd's addresses and the mail library's
// charset decoding share. Pure functions, no allocation, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace correio::base {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when it is
// invalid: RFC 3629 §3/§4 — no overlong forms, no surrogates, nothing above U+10FFFF,
// no truncated sequence. Requires i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// True when all of `s` is well-formed UTF-8 (ASCII included).
bool is_valid_utf8(std::string_view s);

// True when `s` has a byte >= 0x80.
bool has_8bit(std::string_view s);

}  // namespace correio::base
