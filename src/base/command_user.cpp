// user= lookup for administrator-configured commands (see command_user.hpp).
#include "base/command_user.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>

namespace correio::base {

Result<CommandUser> lookup_command_user(std::string_view spec) {
  size_t colon = spec.find(':');
  std::string name(spec.substr(0, colon));
  if (name.empty()) return Error{"user= names no user"};
  const passwd* pw = ::getpwnam(name.c_str());
  if (!pw) return Error{fmt::format("unknown user= {}", name)};
  CommandUser who{pw->pw_uid, pw->pw_gid, pw->pw_name, pw->pw_dir};
  if (colon != std::string_view::npos) {
    std::string group(spec.substr(colon + 1));
    const struct group* gr = ::getgrnam(group.c_str());
    if (!gr) return Error{fmt::format("unknown group in user= {}", spec)};
    who.gid = gr->gr_gid;
  }
  if (who.uid == 0) return Error{"user= must not be root"};
  return who;
}

}  // namespace correio::base
