// Postfix's pipe(8) service: the master.cf arguments (flags=, user=, size=, eol=,
// directory=, argv=...), ${name} expansion of argv, and running the command with the
// message on its standard input. Exit status 0 is delivered; EX_TEMPFAIL and the other
// temporary sysexits codes defer; any other failure bounces with the command's output.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/command_user.hpp"
#include "base/result.hpp"
#include "delivery/protocol.hpp"

namespace correio::delivery::pipe_agent {

struct PipeOptions {
  std::string flags;       // Postfix's letters: D O R X F q u h . >
  std::string user;        // user or user:group (required when the master is root)
  std::string directory;   // working directory, default "/"
  std::string eol = "\n";  // line ending written to the command
  size_t size_limit = 0;   // bytes; 0: no limit
  std::vector<std::string> argv;
};

// The master.cf arguments after "pipe"; errors name the bad one.
Result<PipeOptions> parse_pipe_options(const std::vector<std::string>& args);

struct Expansion {
  std::string sender, recipient, original_recipient, nexthop, client_address, queue_id;
  size_t size = 0;
  std::string recipient_delimiter;
};

// ${name} and $name in each argv element (after the first); an element holding
// ${recipient} (or a derived name) may expand once per recipient, which is why the agent
// runs one command per recipient for those. Unknown names are an error.
Result<std::vector<std::string>> expand_argv(const PipeOptions& options, const Expansion& e);

// True when argv mentions a per-recipient name (recipient, user, extension, mailbox, ...).
bool needs_one_recipient(const PipeOptions& options);

using Identity = base::CommandUser;

// user= looked up in the password (and group) database; root is refused.
Result<Identity> lookup_identity(std::string_view spec);

struct CommandResult {
  DeliveryStatus status = DeliveryStatus::deferred;
  std::string dsn, text;
};

// Runs argv with `message` (already formatted) on standard input, as `who` when root,
// within `time_limit` seconds.
CommandResult run_pipe(const std::vector<std::string>& argv, const std::string& message,
                       const Identity* who, const std::string& directory, int time_limit);

}  // namespace correio::delivery::pipe_agent
