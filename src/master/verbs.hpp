// The verbs' private pieces shared between verbs.cpp and check.cpp.
#pragma once

#include <filesystem>

#include "master/master.hpp"

namespace correio::master {

// `check`: validate main.cf and master.cf, create the queue and data directories.
int check_verb(const std::filesystem::path& config_dir, const KnownCommands& known);

}  // namespace correio::master
