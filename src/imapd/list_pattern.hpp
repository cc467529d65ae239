// IMAP LIST patterns (RFC 9051 §6.3.9): '*' matches anything, '%' anything but the
// hierarchy separator; INBOX matches case-insensitively. Pure; private to imapd.
#pragma once

#include <string_view>

namespace correio::imapd {

bool list_pattern_matches(std::string_view pattern, std::string_view name, char separator);

}  // namespace correio::imapd
