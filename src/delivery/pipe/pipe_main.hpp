// The `pipe` daemon (Postfix's pipe(8)): a delivery agent on a master.cf unix service,
// speaking qmgr's delivery protocol (delivery/protocol.hpp), running the service's
// argv= command once per recipient batch (one per recipient when argv names
// ${recipient} or SERVICE_destination_recipient_limit = 1).
// SECURITY: runs as root when the master is root, only to start the command as user=.
#pragma once

#include "service/daemon.hpp"

namespace correio::delivery::pipe_agent {

int pipe_main(const service::DaemonArgs& args);

}  // namespace correio::delivery::pipe_agent
