// RFC 5322 §3.3 date-time: "Tue, 24 Nov 2026 08:00:00 +0000", in the local time zone,
// as Postfix writes it in Received: and Date: headers. No I/O.
#pragma once

#include <chrono>
#include <string>

namespace correio::mail {

// With the zone name in a comment when known: "... +0000 (UTC)".
std::string rfc5322_date(std::chrono::system_clock::time_point when);

}  // namespace correio::mail
