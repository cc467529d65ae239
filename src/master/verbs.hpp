// The verbs' private pieces shared between verbs.cpp and check.cpp.
#pragma once

#include <filesystem>

#include "base/result.hpp"
#include "config/config.hpp"
#include "master/master.hpp"

namespace correio::master {

// `check`: validate main.cf and master.cf, create the queue and data directories.
int check_verb(const std::filesystem::path& config_dir, const KnownCommands& known);

// `logrotate` (logrotate.cpp): rename maillog_file, make every process reopen it,
// compress the old one. Errors are the text after "fatal: ".
Status rotate_maillog(const config::Config& config);

}  // namespace correio::master
