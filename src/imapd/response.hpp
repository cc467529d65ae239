// Building IMAP response text (RFC 9051 §7): strings as quoted or literal, flag lists,
// INTERNALDATE. Pure functions; private to imapd.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace correio::imapd {

// `s` as an IMAP string: quoted when it is short 7-bit text without CR, LF, NUL, '"' or
// '\\' escaping problems, else a literal "{N}\r\n...".
void append_string(std::string& out, std::string_view s);
// NIL for an empty optional value is the caller's choice; this writes `s` or NIL when empty.
void append_nstring(std::string& out, std::string_view s);
// An astring: the bare atom when it is one, else append_string.
void append_astring(std::string& out, std::string_view s);
// "dd-Mon-yyyy hh:mm:ss +hhmm" quoted (INTERNALDATE), in the server's time zone.
std::string format_internal_date(time_t t);

}  // namespace correio::imapd
