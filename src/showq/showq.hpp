// The showq daemon's entry point, run by the master as `correio daemon showq ...`
// (protocol: showq_protocol.hpp).
#pragma once

#include "service/daemon.hpp"

namespace correio::showq {

int showq_main(const service::DaemonArgs& args);

}  // namespace correio::showq
