// Postfix's spawn(8) service: its master.cf arguments (user=, argv=...) and the checks
// that check, start and reload make on a spawn entry, so that a bad one is refused with
// its file and line before anything is started.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "config/master_cf.hpp"

namespace correio::spawn {

struct SpawnOptions {
  std::string user;               // "name" or "name:group"; required, never root
  std::vector<std::string> argv;  // argv= and every argument after it
};

// The arguments after "spawn"; errors name the bad one ("spawn: ...").
Result<SpawnOptions> parse_spawn_options(const std::vector<std::string>& args);

// Problems with a master.cf spawn entry, each "error: TEXT": bad arguments, a missing,
// unknown or root user=, and (master run as root) an unpriv column other than "n",
// which would leave spawn unable to become user=.
std::vector<std::string> check_spawn_service(const config::MasterService& service);

}  // namespace correio::spawn
