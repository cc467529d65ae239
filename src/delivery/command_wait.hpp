// Waiting for a delivery command (local's |command, pipe's argv=) and collecting what it
// said: one mechanism for both agents, as Postfix's pipe(8) and local(8) share
// pipe_command(3).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace correio::delivery {

struct CommandOutcome {
  int status = 0;          // waitpid() status; meaningless when timed_out
  bool timed_out = false;  // killed (its whole process group) at the deadline
  // The first kMaxCommandOutput bytes the command wrote, trimmed, line breaks as spaces,
  // for the DSN text ("Command output: ...").
  std::string output;
};

inline constexpr size_t kMaxCommandOutput = 1024;

// Waits for `pid` (a process group leader) until `deadline`, then kills the group. Reads
// the output from `output_fd` (a file the command wrote through, read from offset 0) and
// closes it.
CommandOutcome wait_for_command(pid_t pid, int output_fd,
                                std::chrono::steady_clock::time_point deadline);

}  // namespace correio::delivery
