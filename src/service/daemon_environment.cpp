// Loading a daemon's configuration and log (see daemon_environment.hpp).
#include "service/daemon_environment.hpp"

#include <csignal>
#include <cstdio>

#include "base/open_files.hpp"
#include "config/log_options.hpp"

namespace correio::service {

DaemonEnvironment load_daemon_environment(const DaemonArgs& args, const std::string& process_name) {
  std::signal(SIGPIPE, SIG_IGN);
  // Until the skeleton listens for it (the master's "reopen the log", sent on reload),
  // SIGHUP must not end the process.
  std::signal(SIGHUP, SIG_IGN);
  DaemonEnvironment env;
  auto main_config = config::Config::load(args.config_dir);
  auto config = main_config ? main_config->with_overrides(args.overrides) : main_config;
  if (!config) {
    std::fprintf(stderr, "correio/%s: fatal: %s\n", process_name.c_str(),
                 config.error().message.c_str());
    return env;
  }
  auto log =
      std::make_unique<base::Logger>(config::logger_options_or_default(*config, process_name));
  // A bad -o value in master.cf is this service's problem: fail at start rather than
  // misbehave later.
  if (auto st = config->validate(); !st) {
    log->fatal("{}", st.error().message);
    return env;
  }
  if (auto options = config::logger_options(*config, process_name); !options) {
    log->fatal("{}", options.error().message);
    return env;
  }
  // Before any socket is accepted: sessions each hold a descriptor or more.
  log->info("{}", base::describe(base::raise_open_file_limit()));
  env.config = std::make_unique<config::Config>(std::move(config.value()));
  env.metrics = metrics::Registry::open(*env.config, args.service_name, *log);
  env.log = std::move(log);
  return env;
}

}  // namespace correio::service
