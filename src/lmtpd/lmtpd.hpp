// lmtpd: the LMTP server (RFC 2033). Another MTA (Postfix with virtual_transport =
// lmtp:inet:HOST:PORT or lmtp:unix:PATH, or Correio's own lmtp client) hands it mail for
// the users of user_directory, which it stores in their Maildirs like the virtual agent.
#pragma once

#include "service/daemon.hpp"

namespace correio::lmtpd {

// The daemon's entry point for main.cpp's daemon table (master.cf command `lmtpd`); serves
// inet and unix services alike.
int lmtpd_main(const service::DaemonArgs& args);

}  // namespace correio::lmtpd
