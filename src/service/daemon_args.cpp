// The command line the master gives a service process (see daemon.hpp):
//   COMMAND -n NAME -t TYPE [-l LIMIT] [-o name=value]... [-- ARGS...]
#include <fmt/format.h>

#include "base/strings.hpp"
#include "service/daemon.hpp"

namespace correio::service {

Result<DaemonArgs> parse_daemon_args(const std::filesystem::path& config_dir,
                                     const std::vector<std::string>& args) {
  DaemonArgs out;
  out.config_dir = config_dir;
  if (args.empty() || args[0].empty() || args[0][0] == '-')
    return Error{"usage: daemon COMMAND -n NAME -t TYPE [-o name=value]..."};
  out.command = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--") {
      out.args.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (flag != "-n" && flag != "-t" && flag != "-l" && flag != "-o")
      return Error{fmt::format("unexpected argument: {}", flag)};
    if (i + 1 >= args.size()) return Error{fmt::format("option {} needs a value", flag)};
    const std::string& value = args[++i];
    if (flag == "-n") {
      out.service_name = value;
    } else if (flag == "-t") {
      out.service_type = value;
    } else if (flag == "-l") {
      auto n = base::parse_int(value);
      if (!n || *n < 0 || *n > 100000) return Error{fmt::format("-l {}: bad limit", value)};
      out.session_limit = static_cast<int>(*n);
    } else {
      auto eq = value.find('=');
      std::string name(base::trim(std::string_view(value).substr(0, eq)));
      if (eq == std::string::npos || name.empty())
        return Error{fmt::format("-o {}: expected name=value", value)};
      out.overrides.emplace_back(name,
                                 std::string(base::trim(std::string_view(value).substr(eq + 1))));
    }
  }
  // Postfix's defaults when run by hand: the service is named after its command.
  if (out.service_name.empty()) out.service_name = out.command;
  if (out.service_type.empty()) out.service_type = "inet";
  return out;
}

}  // namespace correio::service
