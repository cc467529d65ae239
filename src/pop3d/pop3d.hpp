// pop3d: the POP3 server (RFC 1939, 2449, 2595, 5034) on the users' Dovecot-compatible
// Maildirs (src/mailbox), with Dovecot's replies and UIDLs.
#pragma once

#include "service/daemon.hpp"

namespace correio::pop3d {

// The daemon's entry point for main.cpp's daemon table (master.cf command `pop3d`).
int pop3d_main(const service::DaemonArgs& args);

}  // namespace correio::pop3d
