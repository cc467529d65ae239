// Task daemon skeleton: configuration, log, one coroutine, SIGTERM to stop, SIGHUP to
// reopen the log.
// SECURITY: runs as mail_owner (the master dropped root before exec) or as the invoking
// user; reads no network input of its own.
#include "service/task_daemon.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>

#include "service/daemon_environment.hpp"
#include "service/log_reopen.hpp"

namespace correio::service {

int run_task_daemon(const DaemonArgs& args, const TaskDaemon& daemon) {
  DaemonEnvironment env = load_daemon_environment(args, daemon.process_name);
  if (!env.config) return 1;
  const config::Config& config = *env.config;
  base::Logger& log = *env.log;
  asio::io_context io(1);
  Context ctx{io, config, args, log, *env.metrics, env.tls_files};
  // SIGUSR2: the master started a new process of this service (reload); a task daemon has
  // no sessions to finish, so it stops as on SIGTERM.
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGUSR2);
  signals.async_wait([&io](const std::error_code&, int) { io.stop(); });
  asio::co_spawn(io, reopen_log_on_sighup(log), asio::detached);
  int status = 0;
  asio::co_spawn(io, daemon.run(ctx), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log.fatal("{}", ex.what());
      }
      status = 1;
    }
    io.stop();
  });
  io.run();
  return status;
}

}  // namespace correio::service
