// What every daemon process sets up first, whichever skeleton runs it: the configuration
// with its service's -o overrides (validated), and the mail log named after the service.
#pragma once

#include <memory>
#include <string>

#include "base/log.hpp"
#include "config/config.hpp"
#include "metrics/registry.hpp"
#include "service/daemon.hpp"
#include "tls/handed_files.hpp"

namespace correio::service {

struct DaemonEnvironment {
  std::unique_ptr<config::Config> config;
  std::unique_ptr<base::Logger> log;
  std::unique_ptr<metrics::Registry> metrics;         // disabled unless metrics_enable = yes
  std::shared_ptr<const tls::HandedFiles> tls_files;  // null unless the master handed some
};

// nullptr members mean failure, already reported: on stderr when there is no log yet,
// else as a fatal log line. The caller exits 1 (the master then throttles restarts).
DaemonEnvironment load_daemon_environment(const DaemonArgs& args, const std::string& process_name);

}  // namespace correio::service
