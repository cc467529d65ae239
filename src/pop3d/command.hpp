// POP3 command lines (RFC 1939 §3, RFC 2449 §4): a keyword and space-separated arguments,
// and the argument forms the commands take. Pure functions over borrowed input; no I/O.
// Fed by the network: every parser has a size limit and a fuzz target (fuzz/pop3_fuzz.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace correio::pop3d {

// RFC 2449 §4: a command line is at most 255 octets; AUTH initial responses (RFC 5034
// §4) need more, so the limit is Dovecot's generous one.
inline constexpr size_t kMaxCommandLine = 8192;
// RFC 1939 §3: keywords are 3 or 4 characters; longer ones are unknown commands.
inline constexpr size_t kMaxKeyword = 4;

struct Command {
  std::string verb;               // upper-cased keyword, "" for an empty line
  std::vector<std::string> args;  // split at single spaces, as sent
};

// Splits a line (its CRLF or LF already removed, or not). Empty arguments from repeated
// spaces are dropped, as Dovecot does; a trailing space is ignored.
Command parse_command(std::string_view line);

// A message number as RETR/DELE/LIST/TOP/UIDL take it: decimal digits only, no sign, no
// leading '+', at least 1, at most UINT32_MAX. nullopt otherwise.
std::optional<uint32_t> parse_message_number(std::string_view text);

// TOP's line count: decimal digits, 0 allowed. nullopt when malformed or absurdly long.
std::optional<uint64_t> parse_line_count(std::string_view text);

}  // namespace correio::pop3d
