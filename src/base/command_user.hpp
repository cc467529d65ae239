// The user a configured command runs as: Postfix's user= attribute of pipe(8) and
// spawn(8), "name" or "name:group", looked up in the password and group databases.
// Shared so that every agent that starts an administrator's command refuses root alike.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::base {

struct CommandUser {
  uid_t uid = 0;
  gid_t gid = 0;  // the group after ':', else the user's primary group
  std::string name;
  std::string home;
};

// Error (without a prefix: callers name their service) when the user or group is unknown,
// or when the user is root: a command named in main.cf or master.cf never runs as root.
Result<CommandUser> lookup_command_user(std::string_view spec);

}  // namespace correio::base
