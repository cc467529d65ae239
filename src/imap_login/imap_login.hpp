// imap-login's entry point, run by the master as `correio daemon imap-login ...` for every
// master.cf inet line whose command is imapd (master/implicit_services.hpp).
#pragma once

#include "service/daemon.hpp"

namespace correio::imap_login {

int imap_login_main(const service::DaemonArgs& args);

}  // namespace correio::imap_login
