// Starting spawn(8)'s command for one connection: the connection becomes the command's
// standard input and output, a pipe its standard error; it runs as user= in a process
// group of its own, so that the time limit can end it and whatever it started.
#pragma once

#include <sys/types.h>

#include <optional>

#include "base/command_user.hpp"
#include "base/result.hpp"
#include "spawn/spawn_options.hpp"

namespace correio::spawn {

// Forks and execs options.argv with `connection` on descriptors 0 and 1 and `errors` on
// 2; becomes `who` first when the caller is root (nullopt: keeps the caller's identity).
// Returns the child's pid, which leads its own session and process group. The caller
// keeps (and closes) its copies of both descriptors.
Result<pid_t> start_command(const SpawnOptions& options,
                            const std::optional<base::CommandUser>& who, int connection,
                            int errors);

}  // namespace correio::spawn
