// The `virtual` daemon: qmgr connects to its UNIX socket, sends a delivery request
// (delivery/protocol.hpp) ending in an empty line, and reads back one result line per
// recipient and an empty line; qmgr keeps the connection for its next request.
// SECURITY: talks only to qmgr over a private UNIX socket; runs as the virtual mailbox
// owner (virtual_uid_maps / vmail) and writes only under virtual_mailbox_base (the paths of
// virtual_mailbox_maps) and users' home directories from the user directory. Parses no network
// input.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <chrono>

#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "delivery/virtual/agent.hpp"
#include "service/daemon.hpp"

namespace correio::delivery::virtual_agent {

// What every connection of one agent process shares. Owned by the daemon, lives as long
// as the process; used at once from every worker loop's thread, so it is read-only or
// thread-safe throughout.
struct AgentContext {
  MailboxSettings settings;
  base::Logger& log;
  // virtual_mailbox_maps, else user_directory; virtual_uid_maps/virtual_gid_maps. Shared
  // by the worker threads: all thread-safe.
  MailboxFinder mailboxes;
  std::chrono::steady_clock::duration timeout = std::chrono::seconds(300);  // per request
};

// One qmgr connection: read a request (at most kMaxMessageSize bytes, within
// `timeout`), deliver, write the results and an empty line; again until qmgr closes it. A malformed
// or oversized request is logged and the connection closed without an answer (qmgr defers).
// Deliveries run right here, blocking the calling loop for a few fsyncs per recipient:
// virtual_main gives each connection a worker loop of its own (io/worker_loops.hpp).
asio::awaitable<void> serve_agent_connection(asio::local::stream_protocol::socket socket,
                                             AgentContext& context);

// The daemon's entry point for main.cpp's daemon table. Needs UNIX-socket services from
// the service skeleton (see the note in virtual_main.cpp).
int virtual_main(const service::DaemonArgs& args);

}  // namespace correio::delivery::virtual_agent
