// The skeleton for daemons that are not driven by accepted connections (qmgr, later
// pickup): load the configuration with the service's -o overrides, open the log, run one
// coroutine until SIGTERM. Listening descriptors the master passes are not used.
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <string>

#include "service/daemon.hpp"

namespace correio::service {

struct TaskDaemon {
  std::string process_name;  // for the log tag: "qmgr"
  // Runs until the process stops; may co_spawn more work on ctx.io.
  std::function<asio::awaitable<void>(Context&)> run;
};

// Returns the process exit status.
int run_task_daemon(const DaemonArgs& args, const TaskDaemon& daemon);

}  // namespace correio::service
