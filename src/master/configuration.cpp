// Loading the master's configuration, its logger, and its well-known paths
// (see configuration.hpp).
#include "master/configuration.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/log_options.hpp"
#include "config/login_sockets.hpp"
#include "master/implicit_services.hpp"
#include "master/settings_check.hpp"

namespace correio::master {

Result<LoadedConfiguration> load_configuration(const std::filesystem::path& config_dir,
                                               const KnownCommands& known) {
  std::vector<std::string> warnings;
  auto config = config::Config::load(config_dir, &warnings);
  if (!config) return config.error();
  if (auto st = config->validate(); !st) return st.error();
  if (auto log_options = config::logger_options(*config, "master"); !log_options)
    return log_options.error();
  auto entries = config::load_master_cf(config_dir);
  if (!entries) return entries.error();
  add_implicit_services(*config, *entries);
  auto identity = master_child_identity(*config);
  if (!identity) return identity.error();
  // login_user matters only where a login service runs (docs/prelogin.md).
  std::optional<Identity> login_identity;
  bool has_login = std::any_of(entries->begin(), entries->end(), [](const auto& s) {
    return !config::postlogin_command_for(s.command).empty();
  });
  if (has_login) {
    auto login = login_child_identity(*config, *identity);
    if (!login) return login.error();
    login_identity = std::move(*login);
  }

  PlanOptions options;
  options.known = &known;
  if (*identity) {
    options.socket_uid = (*identity)->uid;
    options.socket_gid = (*identity)->gid;
  }
  std::vector<std::string> problems;
  auto services = plan_services(*config, *entries, options, &problems);
  if (!services) {
    std::string text;
    for (const auto& p : problems)
      if (p.find(": error: ") != std::string::npos) text += (text.empty() ? "" : "; ") + p;
    return Error{text.empty() ? services.error().message : text};
  }
  for (auto& p : problems) warnings.push_back(std::move(p));
  // No setting is ignored in silence: what Correio cannot honour safely stops a start and
  // a reload (which keeps the running configuration); the rest is logged.
  SettingsReport settings = check_settings(*config, *entries, known);
  if (!settings.errors.empty()) {
    std::string text;
    for (const auto& e : settings.errors) text += (text.empty() ? "" : "; ") + e;
    return Error{text};
  }
  for (auto& w : settings.warnings) warnings.push_back(std::move(w));
  return LoadedConfiguration{std::move(*config), std::move(*services), std::move(*identity),
                             std::move(login_identity), std::move(warnings)};
}

std::unique_ptr<base::Logger> make_logger(const config::Config& config, std::string process_name) {
  // The Logger would create a missing maillog_file as whoever runs this (root): create it
  // first as mail_owner's, or the services, which drop to mail_owner, could not open it.
  // A problem here is reported later by create_directories() or reopen_logs().
  if (auto identity = master_child_identity(config); identity) {
    long uid = *identity ? static_cast<long>((*identity)->uid) : -1;
    long gid = *identity ? static_cast<long>((*identity)->gid) : -1;
    (void)ensure_maillog_file(config, uid, gid);
  }
  return std::make_unique<base::Logger>(config::logger_options_or_default(config, process_name));
}

void log_problem(base::Logger& log, const std::string& message) {
  for (std::string_view level : {"warning", "error"}) {
    std::string marker = fmt::format(": {}: ", level);
    if (auto at = message.find(marker); at != std::string::npos) {
      std::string text = message.substr(0, at) + ": " + message.substr(at + marker.size());
      if (level == "warning")
        log.warning("{}", text);
      else
        log.error("{}", text);
      return;
    }
  }
  log.warning("{}", message);
}

std::string program_label(const config::Config& config, const std::string& command) {
  std::string syslog_name = config.get("syslog_name");
  return fmt::format("{}/{}", syslog_name.empty() ? "correio" : syslog_name, command);
}

std::filesystem::path pid_file_path(const config::Config& config) {
  return std::filesystem::path(config.get("data_directory")) / "master.pid";
}

}  // namespace correio::master
