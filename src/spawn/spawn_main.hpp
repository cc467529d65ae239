// The `spawn` daemon (Postfix's spawn(8), its inetd): for every connection to its
// master.cf service it runs the argv= command as user=, the connection as the command's
// standard input and output, its standard error in the mail log. At most maxproc commands
// run at once (the master passes the column as -l); further clients wait to be accepted.
// SECURITY: runs as root when the master is root (master.cf unpriv column "n"), only to
// start the command as user=; it reads nothing from the network itself.
#pragma once

#include "service/daemon.hpp"

namespace correio::spawn {

int spawn_main(const service::DaemonArgs& args);

}  // namespace correio::spawn
