// What a delivery command's exit status means (sysexits(3)), as Postfix's sys_exits.c
// reads it for local(8) and pipe(8): each code from 64 to 78 has an enhanced status code
// and a text; a code is temporary when that status is 4.x.x (EX_OSERR, EX_TEMPFAIL);
// any other non-zero status is a permanent "unknown mail system error".
#pragma once

#include <string>
#include <string_view>

namespace correio::delivery {

struct ExitMeaning {
  bool known = false;      // one of sysexits.h's codes
  bool temporary = false;  // defer rather than bounce
  std::string_view dsn;    // "5.1.1"
  std::string_view text;   // "user unknown"
};

ExitMeaning sysexits_meaning(int code);

// How a command that exited with `code` (non-zero) failed, in Postfix's pipe_command()
// order: output that starts with an enhanced status code ("5.1.1 no such user") is the
// verdict; else a sysexits code's text ("user unknown"); else "Command died with status N:
// \"COMMAND\"". Any output follows as ". Command output: OUTPUT" in the last two cases.
struct CommandVerdict {
  bool temporary = false;
  std::string dsn, text;
};
CommandVerdict command_exit_verdict(int code, std::string_view command, std::string_view output);

}  // namespace correio::delivery
