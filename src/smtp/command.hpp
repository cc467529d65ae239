// An SMTP or LMTP command line as the server loop (command_loop.hpp) hands it to a
// handler: the verb and its argument. No I/O, so that the fuzz target can feed it.
#pragma once

#include <string>
#include <string_view>

namespace correio::smtp {

// One command line: "MAIL FROM:<a@b>" is {"MAIL", "FROM:<a@b>"}.
struct Command {
  std::string verb;      // upper-cased
  std::string argument;  // after the first space, trimmed; CRLF removed
};

// One command line, with or without its CRLF: "mail FROM:<a@b>  \r\n" is {"MAIL",
// "FROM:<a@b>"}. Never fails: an empty line is an empty verb (an unknown command).
Command parse_command(std::string_view line);

// Whether a command line (with its terminator) carries a byte no command may hold: NUL
// or a CR that does not end the line. RFC 5321 §2.3.8: CR and LF occur only together as
// the line end; a NUL would cut the line short wherever it is used as a C string.
bool has_forbidden_bytes(std::string_view line);

}  // namespace correio::smtp
