// The auth service's entry point, run by the master as `correio daemon auth ...` from the
// master.cf line `auth unix - n n - 1 auth` (socket queue_directory/private/auth).
// Protocol: auth/auth_protocol.hpp; the sessions: auth_session.hpp.
#pragma once

#include "service/daemon.hpp"

namespace correio::authd {

int authd_main(const service::DaemonArgs& args);

}  // namespace correio::authd
