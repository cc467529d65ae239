// The pickup daemon's entry point, run by the master as `correio daemon pickup ...`.
#pragma once

#include "service/daemon.hpp"

namespace correio::pickup {

int pickup_main(const service::DaemonArgs& args);

}  // namespace correio::pickup
