// smtp_header_checks, smtp_mime_header_checks, smtp_nested_header_checks and
// smtp_body_checks (lmtp_* for the lmtp agent): Postfix smtp(8)'s content inspection of
// the message as it goes out, with cleanup's engine (cleanup/content_inspector.hpp) in
// its delivery mode: only line actions (IGNORE, PREPEND, REPLACE, WARN, INFO, DUNNO).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/log.hpp"
#include "base/result.hpp"
#include "cleanup/check_tables.hpp"
#include "config/config.hpp"

namespace correio::delivery::smtp_agent {

// The agent's tables, `prefix` "smtp_" or "lmtp_"; null when none is configured. Errors
// name the parameter, and the table's file and line for an action smtp(8) does not
// perform. `log` (for the tables' warnings) must outlive the tables.
Result<std::shared_ptr<cleanup::CheckTables>> open_content_checks(const config::Config& config,
                                                                  std::string_view prefix,
                                                                  base::Logger& log);

// The message (LF line ends) as it is to be sent. Error: a table lookup failed or returned
// an action the client does not perform; the delivery is deferred with the text.
Result<std::string> inspect_outgoing(const cleanup::CheckTables& tables, std::string_view content,
                                     const std::string& queue_id, const std::string& sender,
                                     base::Logger& log);

}  // namespace correio::delivery::smtp_agent
