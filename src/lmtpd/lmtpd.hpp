// lmtpd: the LMTP server (RFC 2033). Another MTA (Postfix with virtual_transport =
// lmtp:inet:HOST:PORT or lmtp:unix:PATH, or Correio's own lmtp client) hands it mail for
// the users of user_directory, which it stores in their Maildirs like the virtual agent.
// It does not apply virtual_uid_maps/virtual_gid_maps: the files belong to the user lmtpd
// runs as (mail_owner), never to a mapped owner (a network server keeps no root).
#pragma once

#include "service/daemon.hpp"

namespace correio::lmtpd {

// The daemon's entry point for main.cpp's daemon table (master.cf command `lmtpd`); serves
// inet and unix services alike.
int lmtpd_main(const service::DaemonArgs& args);

}  // namespace correio::lmtpd
