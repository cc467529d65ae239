// The tables of Postfix's built-in content inspection, opened once per process from
// main.cf: header_checks, mime_header_checks, nested_header_checks and body_checks (or
// the smtp_ set the smtp delivery agent applies to what it sends), with the limits that
// go with them. Owned by the daemon for its lifetime; the tables are not thread-safe:
// use them from the daemon's one event-loop thread (maps/map.hpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "mail/mime_stream.hpp"
#include "maps/map.hpp"

namespace correio::cleanup {

struct CheckTable {
  std::string parameter;  // "header_checks", for log lines ("in header_checks map")
  std::shared_ptr<maps::Map> map;
};

// Who applies the tables: cleanup on the way in (every action but FILTER), or the smtp
// and lmtp agents on the way out (the line actions of supported_in_delivery(), and
// Postfix smtp(8)'s log lines).
enum class CheckUse { cleanup, delivery };

struct CheckTables {
  CheckTable header, mime_header, nested_header, body;
  CheckUse use = CheckUse::cleanup;
  long long body_size_limit = 51200;  // body_checks_size_limit; 0: no limit
  mail::MimeStreamOptions mime;

  // Whether any table is configured (without one, mail is not inspected at all).
  bool any() const { return header.map || mime_header.map || nested_header.map || body.map; }

  // Opens the four tables named by `prefix` + "header_checks" etc. ("" for cleanup,
  // "smtp_" for the smtp agent). A table named twice (mime_header_checks defaults to
  // $header_checks) is opened once. Error: a table that cannot be opened
  // (see content_check_problems()).
  static Result<CheckTables> open(const config::Config& config, std::string_view prefix,
                                  base::Logger& log, CheckUse use = CheckUse::cleanup);
  // milter_header_checks alone, in the header slot: what cleanup checks of the header
  // fields milters add or change (Postfix 2.7+). Nothing set: no table (any() is false).
  static Result<CheckTables> open_milter_header_checks(const config::Config& config,
                                                       base::Logger& log);
};

// What Correio cannot honour in the tables named by `prefix`: a table that does not open,
// and for CheckUse::delivery every action smtp(8) does not support there. Each entry
// reads "WHERE: error: PARAMETER: TEXT", as smtpd's other checks. Tables whose entries
// cannot be listed (static:, SQL) are checked per line instead (content_inspector.hpp).
std::vector<std::string> content_check_problems(const config::Config& config,
                                                std::string_view prefix,
                                                CheckUse use = CheckUse::cleanup);

}  // namespace correio::cleanup
