// The queue manager daemon's entry point, run by the master as `correio daemon qmgr ...`.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "service/daemon.hpp"

namespace correio::qmgr {

int qmgr_main(const service::DaemonArgs& args);

// qmgr's check for check, start and reload: "FILE:LINE: warning: ..." for the
// notify_classes an administrator set that Correio does not report yet.
std::vector<std::string> check_configuration(const config::Config& config);

}  // namespace correio::qmgr
