// milter_header_checks' way of looking (Postfix 2.7+): only the header fields that are in
// `headers` but not in `before` (what milters added or changed) go through the header
// table of `tables`. IGNORE removes such a field, REPLACE changes it in place; the
// message-wide actions come back in the verdict. Shared by smtpd and pickup.
#pragma once

#include <string>
#include <vector>

#include "base/log.hpp"
#include "cleanup/check_tables.hpp"
#include "cleanup/content_inspector.hpp"

namespace correio::cleanup {

// `headers`: whole fields with their LF ("Name: value\n"), edited in place.
CheckVerdict check_produced_headers(const CheckTables& tables, CheckContext context,
                                    base::Logger& log, const std::vector<std::string>& before,
                                    std::vector<std::string>& headers);

}  // namespace correio::cleanup
