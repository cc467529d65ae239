// The master: reads main.cf/master.cf, binds every listener, starts and supervises each
// service's processes, reloads on SIGHUP, stops gracefully on SIGTERM. Parses no network
// input. Also the administrator's verbs (start, start-fg, stop, abort, reload, status, check)
// shared by `correio VERB` and `postfix VERB`.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/master_cf.hpp"

namespace correio::master {

// A daemon's own check of its effective configuration (main.cf plus its service's -o
// overrides), run by check, start and reload before anything is started: messages
// "error: TEXT" (fatal: the daemon could not honour the configuration) or "warning: TEXT".
using ConfigCheck = std::function<std::vector<std::string>(const config::Config&)>;

// A daemon's check of its master.cf entry (the arguments after the command, the unpriv
// column): messages as for ConfigCheck.
using ServiceCheck = std::function<std::vector<std::string>(const config::MasterService&)>;

// Which master.cf commands this binary can run (from main.cpp's daemon table).
struct KnownCommands {
  std::set<std::string, std::less<>> names;
  std::map<std::string, ConfigCheck, std::less<>> checks = {};           // by command; optional
  std::map<std::string, ServiceCheck, std::less<>> service_checks = {};  // by command
};

// `verb` is one of start-fg, start, stop, abort, reload, status, check.
// Returns the process exit status.
int run_verb(const std::string& verb, const std::filesystem::path& config_dir,
             const KnownCommands& known);

}  // namespace correio::master
