// The queue manager daemon's entry point, run by the master as `correio daemon qmgr ...`.
#pragma once

#include "service/daemon.hpp"

namespace correio::qmgr {

int qmgr_main(const service::DaemonArgs& args);

}  // namespace correio::qmgr
