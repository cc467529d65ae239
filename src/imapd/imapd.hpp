// The imapd daemon entry, for src/main.cpp's daemon table.
#pragma once

#include "service/daemon.hpp"

namespace correio::imapd {

int imapd_main(const service::DaemonArgs& args);

}  // namespace correio::imapd
