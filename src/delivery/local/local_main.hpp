// The `local` daemon: qmgr connects to its UNIX socket, sends a delivery request
// (delivery/protocol.hpp) ending in an empty line, and reads back one result line per
// recipient and an empty line; qmgr keeps the connection for its next request.
// SECURITY: talks only to qmgr over a private UNIX socket. Runs as root (design.md §1)
// so that each mailbox write, /file and |command happens as the recipient (or
// default_privs for aliases) in a forked child; parses no network input.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <chrono>

#include "base/log.hpp"
#include "delivery/local/agent.hpp"
#include "service/daemon.hpp"

namespace correio::delivery::local_agent {

// What every connection of one agent process shares. Owned by the daemon, lives as long
// as the process; used from its one event-loop thread.
struct AgentContext {
  AgentSettings settings;
  base::Logger& log;
  std::chrono::steady_clock::duration timeout = std::chrono::seconds(300);  // reading a request
};

// One qmgr connection, a request at a time: read it (at most kMaxMessageSize bytes, within
// `timeout`), deliver, write the results and an empty line. A malformed or oversized
// request is logged and the connection closed without an answer (qmgr defers).
// Delivery runs synchronously on the event loop (it forks and waits for children).
asio::awaitable<void> serve_agent_connection(asio::local::stream_protocol::socket socket,
                                             AgentContext& context);

// The daemon's entry point for main.cpp's daemon table (registered by the lead).
int local_main(const service::DaemonArgs& args);

}  // namespace correio::delivery::local_agent

namespace correio {
namespace local_agent = delivery::local_agent;  // the name the daemon table uses
}  // namespace correio
