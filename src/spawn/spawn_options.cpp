// spawn(8) arguments and their check (see spawn_options.hpp).
#include "spawn/spawn_options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "base/command_user.hpp"

namespace correio::spawn {

Result<SpawnOptions> parse_spawn_options(const std::vector<std::string>& args) {
  SpawnOptions out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    // Postfix's spawn(8): argv= is the last attribute; everything after it is the command.
    if (a.starts_with("argv=")) {
      out.argv.emplace_back(a.substr(5));
      out.argv.insert(out.argv.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.starts_with("user=")) {
      out.user = a.substr(5);
      continue;
    }
    return Error{fmt::format("spawn: unsupported argument: {}", a)};
  }
  if (out.user.empty()) return Error{"spawn: user= attribute is required"};
  if (out.argv.empty() || out.argv[0].empty()) return Error{"spawn: missing argv= command"};
  if (!out.argv[0].starts_with("/"))
    return Error{fmt::format("spawn: argv= needs an absolute path: {}", out.argv[0])};
  return out;
}

std::vector<std::string> check_spawn_service(const config::MasterService& service) {
  auto options = parse_spawn_options(service.args);
  if (!options) return {"error: " + options.error().message};
  std::vector<std::string> out;
  if (auto who = base::lookup_command_user(options->user); !who)
    out.push_back("error: spawn: " + who.error().message);
  if (::geteuid() == 0 && service.unpriv != "n")
    out.push_back("error: spawn: the unpriv column must be n: spawn starts its command as user=");
  return out;
}

}  // namespace correio::spawn
