// The `smtp` daemon (Postfix's smtp(8)), started by master.cf's "smtp unix ... smtp" and
// "relay unix ... smtp" lines: qmgr connects to its UNIX socket and sends delivery
// requests (delivery/protocol.hpp); the agent sends each message to the nexthop's servers
// and answers with a result per recipient.
// SECURITY: talks to qmgr over a private UNIX socket and to remote SMTP servers over the
// network, whose replies it parses (smtp/reply_reader.hpp, fuzzed). Runs as mail_owner,
// reads queue files, writes nothing but the log; holds no mailbox access.
#pragma once

#include "service/daemon.hpp"

namespace correio::delivery::smtp_agent {

int smtp_main(const service::DaemonArgs& args);
// The same agent speaking LMTP (RFC 2033, Postfix's lmtp(8)): master.cf "lmtp unix ...
// lmtp", nexthops "unix:/path" and "inet:host:port", lmtp_* parameters.
int lmtp_main(const service::DaemonArgs& args);

}  // namespace correio::delivery::smtp_agent
