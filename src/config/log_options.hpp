// The mail log's settings read from main.cf (syslog_name, syslog_facility, maillog_file,
// maillog_file_permissions, imapd_syslog_name/pop3d_syslog_name), in one place for the
// master, the daemons and the administrator's commands.
#pragma once

#include <string>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"

namespace correio::config {

// Options for a Logger of `process_name` ("master", "smtpd", "imapd", ...). A bad
// syslog_facility or maillog_file_permissions fails with "main.cf:LINE: error: ...".
Result<base::Logger::Options> logger_options(const Config& config, const std::string& process_name);

// The same, with Postfix's defaults in place of bad values (already reported at start or
// by `check`): a process must be able to log the error that stops it.
base::Logger::Options logger_options_or_default(const Config& config,
                                                const std::string& process_name);

}  // namespace correio::config
