// pop3-login's entry point, run by the master as `correio daemon pop3-login ...` for every
// master.cf inet line whose command is pop3d (master/implicit_services.hpp).
#pragma once

#include "service/daemon.hpp"

namespace correio::pop3_login {

int pop3_login_main(const service::DaemonArgs& args);

}  // namespace correio::pop3_login
