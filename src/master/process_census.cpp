// The master's daemons from /proc (see process_census.hpp).
#include "master/process_census.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

namespace correio::master {
namespace {

// The parent pid from /proc/PID/stat: the field after the ")" that ends the command name.
pid_t parent_of(const std::filesystem::path& proc_entry) {
  std::ifstream in(proc_entry / "stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

std::vector<std::string> arguments(const std::filesystem::path& proc_entry) {
  std::ifstream in(proc_entry / "cmdline");
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

}  // namespace

std::vector<ServiceProcesses> count_service_processes(pid_t master) {
  std::map<std::string, ServiceProcesses> by_service;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (parent_of(entry.path()) != master) continue;
    // correio -c DIR daemon COMMAND -n NAME -t TYPE ...
    auto args = arguments(entry.path());
    std::string command, service, type;
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "daemon" && command.empty()) command = args[i + 1];
      if (args[i] == "-n") service = args[i + 1];
      if (args[i] == "-t") type = args[i + 1];
    }
    if (command.empty() || service.empty()) continue;
    std::string key = service + "/" + type;
    auto& s = by_service[key];
    s.service = key;
    s.command = command;
    ++s.processes;
  }
  std::vector<ServiceProcesses> out;
  for (auto& [key, s] : by_service) out.push_back(std::move(s));
  return out;
}

}  // namespace correio::master
