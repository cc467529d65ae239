// Running a delivery command (local's |command, pipe's argv=): one fork/child set-up for
// both agents, as Postfix's local(8) and pipe(8) share pipe_command(3). SECURITY: the child
// drops to the given user before exec when the agent runs as root, gets only the
// environment it is given, and inherits no descriptor but stdin/stdout/stderr.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/command_wait.hpp"

namespace correio::delivery {

// Who a command or a delivery child runs as.
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string groups_of;  // initgroups(3) for this user name; "" = no supplementary groups
};

// setgid, then the supplementary groups, then setuid: irreversible. False on failure.
bool switch_user(const RunAs& who);

struct CommandSpec {
  std::string program;            // path given to execve (no PATH search)
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> environment;
  std::string_view input;  // the command's stdin
  // Taken on when the agent runs as root; a failed switch exits 75 (EX_TEMPFAIL).
  std::optional<RunAs> as;
  std::string directory;  // working directory; "" = "/"
  // When `directory` cannot be entered: "/" (local's home) rather than exit 75 (pipe).
  bool directory_or_root = false;
  std::chrono::steady_clock::time_point deadline;
};

// Starts the command in a new session with `input` as stdin and one file collecting stdout
// and stderr, then wait_for_command(). A failed exec exits 127 (no such program) or 126,
// as a shell does. nullopt: it could not be started (memfd, write or fork failed).
std::optional<CommandOutcome> run_command(const CommandSpec& spec);

}  // namespace correio::delivery
