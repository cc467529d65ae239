// Loading a daemon's configuration and log (see daemon_environment.hpp).
#include "service/daemon_environment.hpp"

#include <csignal>
#include <cstdio>

#include "base/open_files.hpp"

namespace correio::service {

DaemonEnvironment load_daemon_environment(const DaemonArgs& args, const std::string& process_name) {
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);  // the master restarts services on reload when it matters
  DaemonEnvironment env;
  auto main_config = config::Config::load(args.config_dir);
  auto config = main_config ? main_config->with_overrides(args.overrides) : main_config;
  if (!config) {
    std::fprintf(stderr, "correio/%s: fatal: %s\n", process_name.c_str(),
                 config.error().message.c_str());
    return env;
  }
  base::Logger::Options options;
  if (std::string name = config->get("syslog_name"); !name.empty()) options.syslog_name = name;
  options.process_name = process_name;
  options.maillog_file = config->get("maillog_file");
  auto log = std::make_unique<base::Logger>(std::move(options));
  // A bad -o value in master.cf is this service's problem: fail at start rather than
  // misbehave later.
  if (auto st = config->validate(); !st) {
    log->fatal("{}", st.error().message);
    return env;
  }
  // Before any socket is accepted: sessions each hold a descriptor or more.
  log->info("{}", base::describe(base::raise_open_file_limit()));
  env.config = std::make_unique<config::Config>(std::move(config.value()));
  env.log = std::move(log);
  return env;
}

}  // namespace correio::service
