// What check, start and reload refuse or warn about beyond syntax, so that no setting is
// ignored in silence: unsupported parameters set to a value Correio does not honour
// (config/support.hpp), lookup tables of an unknown type or with a missing file, and each
// daemon's own checks (unknown restrictions) with its service's -o overrides applied.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/master_cf.hpp"
#include "master/master.hpp"

namespace correio::master {

struct SettingsReport {
  std::vector<std::string> errors;    // "FILE:LINE: error: ..." — refuse to start or reload
  std::vector<std::string> warnings;  // "FILE:LINE: warning: ..."
};

SettingsReport check_settings(const config::Config& config,
                              const std::vector<config::MasterService>& services,
                              const KnownCommands& known);

}  // namespace correio::master
