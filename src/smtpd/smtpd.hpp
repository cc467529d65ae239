// The SMTP server daemon's entry point, run by the master as `correio daemon smtpd ...`.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "service/daemon.hpp"

namespace correio::smtpd {

int smtpd_main(const service::DaemonArgs& args);

// What smtpd could not honour in `config` (its service's effective configuration), for
// check, start and reload: "FILE:LINE: error: PARAMETER: TEXT" for a restriction list
// with an unknown restriction or without relay control. Postfix finds these only when a
// client arrives and then answers every RCPT with 451; Correio refuses to start.
std::vector<std::string> check_configuration(const config::Config& config);

}  // namespace correio::smtpd
