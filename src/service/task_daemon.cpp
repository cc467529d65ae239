// Task daemon skeleton: configuration, log, one coroutine, SIGTERM to stop.
// SECURITY: runs as mail_owner (the master dropped root before exec) or as the invoking
// user; reads no network input of its own.
#include "service/task_daemon.hpp"

#include <asio/co_spawn.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>

namespace correio::service {

int run_task_daemon(const DaemonArgs& args, const TaskDaemon& daemon) {
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  auto main_config = config::Config::load(args.config_dir);
  auto config = main_config ? main_config->with_overrides(args.overrides) : main_config;
  if (!config) {
    std::fprintf(stderr, "correio/%s: fatal: %s\n", daemon.process_name.c_str(),
                 config.error().message.c_str());
    return 1;
  }
  base::Logger::Options options;
  if (std::string name = config->get("syslog_name"); !name.empty()) options.syslog_name = name;
  options.process_name = daemon.process_name;
  options.maillog_file = config->get("maillog_file");
  base::Logger log(std::move(options));
  if (auto st = config->validate(); !st) {
    log.fatal("{}", st.error().message);
    return 1;
  }
  asio::io_context io(1);
  Context ctx{io, *config, args, log};
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](const std::error_code&, int) { io.stop(); });
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
