// Alias, :include: and .forward expansion for the local agent (Postfix's local/alias.c,
// dotforward.c, include.c): turns one recipient into the destinations it stands for.
// Private to src/delivery/local. Reads tables and files; writes nothing; not thread-safe
// (the alias Map is not).
#pragma once

#include <string>
#include <vector>

#include "delivery/local/agent.hpp"
#include "maps/map.hpp"

namespace correio::delivery::local_agent {

struct Destination {
  // forward: `address` is outside the local domains and goes back into the queue
  // (forward.hpp); `target` is the recipient whose alias or .forward named it.
  // transport: `target` is the transport:nexthop the mailbox delivery is handed to
  // (agent.cpp turns mailbox destinations into these and commands).
  enum class Kind { mailbox, file, command, forward, transport, failed };
  Kind kind = Kind::failed;
  std::string address;  // to= in the log: the final user@domain, or for a file or command
                        // the address whose alias or .forward named it
  std::string target;   // file path or command line (unused for mailbox)
  SystemUser user;      // mailbox owner, or the identity a file/command runs as
  // False for a mailbox: the system has no such user, and only a mailbox transport may
  // take it (user.name is the login name; status/dsn/text say "unknown user").
  bool have_user = false;
  // kind == failed: how (a bounce or a deferral).
  DeliveryStatus status = DeliveryStatus::deferred;
  std::string dsn, text;
};

// Expands `address` (user[+ext]@domain). `aliases` may be null (no alias_maps). The
// result is never empty: an unknown user is one `failed` destination.
std::vector<Destination> expand_recipient(const std::string& address, maps::Map* aliases,
                                          const AgentSettings& settings);

// Splits an alias value or .forward line into destinations: commas separate them, except
// inside double quotes ("|cmd, with comma"). Quotes around a whole item are removed.
std::vector<std::string> split_destinations(std::string_view value);

}  // namespace correio::delivery::local_agent
