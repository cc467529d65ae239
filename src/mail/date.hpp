// RFC 5322 §3.3 date-time: "Tue, 24 Nov 2026 08:00:00 +0000", in the local time zone,
// as Postfix writes it in Received: and Date: headers. No I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace correio::mail {

// With the zone name in a comment when known: "... +0000 (UTC)".
std::string rfc5322_date(std::chrono::system_clock::time_point when);

// Parses an RFC 5322 §3.3 date-time (with the §4.3 obsolete forms: two-digit years, zone
// names such as EST or GMT, missing seconds or day name, comments) into seconds since the
// epoch, UTC. nullopt when it is not a date. Pure, thread-safe.
std::optional<std::int64_t> parse_rfc5322_date(std::string_view text);

// The calendar day of a date-time in its own time zone, as days since 1970-01-01:
// "Mon, 1 Jan 2024 23:30 -0500" is 1 January although it is 2 January in UTC. IMAP's
// SENTBEFORE/SENTON/SENTSINCE compare this day (RFC 3501 §6.4.4: "disregarding time and
// timezone"). nullopt when it is not a date.
std::optional<std::int64_t> parse_rfc5322_day(std::string_view text);

// RFC 5256 §2.2 sent date: the Date: header value when it parses, otherwise
// `internal_date` (the INTERNALDATE, which the caller knows). Returned in UTC seconds.
std::int64_t sent_date(std::string_view date_header_value, std::int64_t internal_date);

}  // namespace correio::mail
