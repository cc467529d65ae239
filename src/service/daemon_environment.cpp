// Loading a daemon's configuration and log (see daemon_environment.hpp).
#include "service/daemon_environment.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "base/open_files.hpp"
#include "base/strings.hpp"
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
  // The master's bundle of root-only key files: read once, then the descriptor and the
  // variable go, so that nothing this process starts inherits either.
  if (const char* raw = std::getenv(std::string(tls::kHandedFilesVariable).c_str())) {
    std::string fd_text = raw;  // unsetenv() below may free `raw`
    auto fd = base::parse_int(fd_text);
    auto handed = fd && *fd >= 3 ? tls::read_handed(static_cast<int>(*fd))
                                 : Result<tls::HandedFiles>(Error{"bad descriptor"});
    if (fd && *fd >= 3) ::close(static_cast<int>(*fd));
    ::unsetenv(std::string(tls::kHandedFilesVariable).c_str());
    if (!handed) {
      log->fatal("{}={}: {}", tls::kHandedFilesVariable, fd_text, handed.error().message);
      return env;
    }
    env.tls_files = std::make_shared<const tls::HandedFiles>(std::move(*handed));
  }
  env.config = std::make_unique<config::Config>(std::move(config.value()));
  env.metrics = metrics::Registry::open(*env.config, args.service_name, *log);
  env.log = std::move(log);
  return env;
}

}  // namespace correio::service
