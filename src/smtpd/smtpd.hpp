// The SMTP server daemon's entry point, run by the master as `correio daemon smtpd ...`.
#pragma once

#include "service/daemon.hpp"

namespace correio::smtpd {

int smtpd_main(const service::DaemonArgs& args);

}  // namespace correio::smtpd
