// Reads one complete IMAP command from the wire: the command line plus every literal it
// announces (RFC 9051 §4.3 synchronising literals, RFC 7888 LITERAL+ / LITERAL-). The
// result is the command exactly as sent, literals inline, so that the parser walks one
// buffer in wire syntax. Private to imapd.
#pragma once

#include <asio/awaitable.hpp>
#include <cstddef>
#include <string>

#include "io/connection.hpp"

namespace correio::imapd {

struct CommandLimits {
  size_t max_line_length = 65536;      // one line between literals (imapd_max_line_length)
  size_t max_literal_size = 10 << 20;  // one literal (imapd_literal_size_limit)
  size_t max_command_size = 64 << 20;  // the whole command with its literals
};

enum class CommandStatus {
  ok,               // `text` holds the command, final CRLF included
  line_too_long,    // a line exceeded the limit; it was consumed, answer BAD
  literal_refused,  // a synchronising literal over the limit: answer NO [TOOBIG]; `text` has
                    // the command up to the literal so that the tag can be read
  fatal,            // a non-synchronising literal over the limit: BYE and close
  timeout,
  closed,
};

struct CommandInput {
  CommandStatus status = CommandStatus::closed;
  std::string text;
};

// Where a line ends in a literal announcement "{N}", "{N+}" or "~{N}" (literal8), its size
// and whether it is non-synchronising. Exposed for tests.
struct LiteralAnnouncement {
  size_t size = 0;
  bool non_synchronising = false;
};
bool parse_literal_announcement(std::string_view line, LiteralAnnouncement& out);

asio::awaitable<CommandInput> read_command(io::Connection& conn, const CommandLimits& limits);
// The same for a command whose first line (`first`, status ok) the caller has read: NOTIFY
// waits for it with read_line, which a mailbox change may interrupt without losing input.
asio::awaitable<CommandInput> read_command(io::Connection& conn, const CommandLimits& limits,
                                           io::LineResult first);

}  // namespace correio::imapd
