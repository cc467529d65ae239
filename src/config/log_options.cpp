// The mail log's settings from main.cf (see log_options.hpp).
#include "config/log_options.hpp"

#include <fmt/format.h>

namespace correio::config {
namespace {

std::string location(const Config& config, std::string_view name) {
  if (const MainCfEntry* e = config.main_cf().find(name))
    return fmt::format("{}:{}: ", config.main_cf().file_name(), e->line);
  return "";
}

Result<base::Logger::Options> read_options(const Config& config, const std::string& process_name,
                                           bool strict) {
  base::Logger::Options options;
  if (std::string name = config.get("syslog_name"); !name.empty()) options.syslog_name = name;
  options.process_name = process_name;
  options.maillog_file = config.get("maillog_file");
  // Dovecot's side logs under its own tag (default: SYSLOG_NAME/imapd like every service).
  if (process_name == "imapd" || process_name == "pop3d")
    options.tag_override = config.get(process_name + "_syslog_name");
  std::string facility = config.get("syslog_facility");
  if (auto code = base::Logger::facility_code(facility))
    options.facility = *code;
  else if (strict)
    return Error{
        fmt::format("{}error: bad syslog_facility: {} (use mail, daemon, local0..local7, "
                    "...)",
                    location(config, "syslog_facility"), facility)};
  std::string mode = config.get("maillog_file_permissions");
  if (auto parsed = base::Logger::parse_file_mode(mode))
    options.file_mode = *parsed;
  else if (strict)
    return Error{
        fmt::format("{}error: bad maillog_file_permissions: {} (an octal mode such as "
                    "0600 or 0644)",
                    location(config, "maillog_file_permissions"), mode)};
  return options;
}

}  // namespace

Result<base::Logger::Options> logger_options(const Config& config,
                                             const std::string& process_name) {
  return read_options(config, process_name, true);
}

base::Logger::Options logger_options_or_default(const Config& config,
                                                const std::string& process_name) {
  return read_options(config, process_name, false).value();
}

}  // namespace correio::config
