// The service skeleton every daemon plugs into (Postfix's master/ event server, modernised):
// the master starts `correio daemon COMMAND -n NAME -t TYPE [-o name=value]...` with its
// listening sockets as file descriptors 3, 4, ... (CORREIO_LISTEN_FDS=N in the environment).
// The skeleton loads the configuration with the -o overrides, opens the log, accepts
// connections and runs one coroutine per connection, and on SIGTERM stops accepting and
// lets sessions finish until a deadline.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "metrics/registry.hpp"
#include "tls/handed_files.hpp"

namespace correio::service {

// What the master passed on the command line.
struct DaemonArgs {
  std::filesystem::path config_dir;
  std::string command;       // "smtpd"
  std::string service_name;  // master.cf first column, e.g. "127.0.0.1:2525" or "submission"
  std::string service_type;  // "inet", "unix", ...
  config::Overrides overrides;
  std::vector<std::string> args;  // master.cf arguments after the command (after "--")
  // -l: the most connections served at once, further ones wait to be accepted; 0: no
  // limit. The master sets it where maxproc counts commands, not processes (spawn).
  int session_limit = 0;
};

// argv after "daemon": COMMAND -n NAME -t TYPE [-l LIMIT] [-o name=value]... [-- ARGS];
// config_dir given.
Result<DaemonArgs> parse_daemon_args(const std::filesystem::path& config_dir,
                                     const std::vector<std::string>& args);

// Everything a session may use. Lives as long as the daemon process.
struct Context {
  asio::io_context& io;
  const config::Config& config;  // main.cf with this service's -o overrides applied
  const DaemonArgs& args;
  base::Logger& log;
  metrics::Registry& metrics;  // this process's counters (no-ops unless metrics_enable)
  // Key and certificate files the master read for this process (null: none handed).
  std::shared_ptr<const tls::HandedFiles> tls_files = nullptr;
};

struct StreamDaemon {
  std::string process_name;  // for the log tag: "smtpd"
  // One-time set-up before the first accept (open the queue, load certificates, ...).
  // A failure is logged as fatal and the process exits 1 (the master backs off).
  std::function<Status(Context&)> init;
  // One straight-line coroutine per accepted connection; owns the socket. A daemon sets
  // `session` for inet services, `local_session` for unix services (qmgr to a delivery
  // agent, for instance), or both.
  std::function<asio::awaitable<void>(Context&, asio::ip::tcp::socket)> session;
  std::function<asio::awaitable<void>(Context&, asio::local::stream_protocol::socket)>
      local_session;
  // Called once the event loop has stopped, while the io_context still exists: state
  // `init` made that holds I/O objects (timers, sockets) must be released here, since
  // destroying them after their io_context is a use after free.
  std::function<void(Context&)> finish;
};

// Runs the daemon until SIGTERM; returns the process exit status.
int run_stream_daemon(const DaemonArgs& args, const StreamDaemon& daemon);

}  // namespace correio::service
