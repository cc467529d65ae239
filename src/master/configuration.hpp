// Everything the master reads at start and at reload, loaded and checked in one step so
// that a reload with a broken main.cf or master.cf changes nothing (the old plan runs on).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "master/master.hpp"
#include "master/service_plan.hpp"
#include "master/spawn.hpp"

namespace correio::master {

struct LoadedConfiguration {
  config::Config config;
  std::vector<ServiceSpec> services;
  std::optional<Identity> child_identity;  // mail_owner when the master is root
  std::optional<Identity> login_identity;  // login_user when root and a login service runs
  std::vector<std::string> warnings;       // "FILE:LINE: warning: ..." to log
};

// Reads main.cf and master.cf under `config_dir`; errors carry FILE:LINE.
Result<LoadedConfiguration> load_configuration(const std::filesystem::path& config_dir,
                                               const KnownCommands& known);

// syslog_name (default "correio"), maillog_file, and the given process name.
std::unique_ptr<base::Logger> make_logger(const config::Config& config, std::string process_name);

// Logs a "FILE:LINE: warning: TEXT" or "FILE:LINE: error: TEXT" message from the
// configuration parsers as "warning: FILE:LINE: TEXT" (or "error: ...").
void log_problem(base::Logger& log, const std::string& message);

// "correio/smtpd": how the master names a service's program in its log lines.
std::string program_label(const config::Config& config, const std::string& command);

// data_directory/master.pid
std::filesystem::path pid_file_path(const config::Config& config);

// Creates queue_directory (with Postfix's subdirectories) and data_directory, with their
// owners (mail_owner when root) and modes. Problems that were repaired are appended to
// *notes ("warning: ..."); failures are errors.
Status create_directories(const config::Config& config, const std::optional<Identity>& owner,
                          std::vector<std::string>* notes);

// Creates a missing maillog_file with maillog_file_permissions, owned by mail_owner
// (uid/gid; -1 leaves root) so that the services can write it; at start and before the
// log is reopened on reload (a rotated file is gone).
Status ensure_maillog_file(const config::Config& config, long uid, long gid);

}  // namespace correio::master
