// The mail log line a delivery agent writes for each recipient, in Postfix's wording
// (global/log_adhoc.c) so that existing log tools (pflogsumm, qshape habits, grep) work:
//
//   QUEUEID: to=<addr>, orig_to=<orig>, relay=virtual, delay=0.08,
//       delays=0.02/0.01/0/0.05, dsn=2.0.0, status=sent (delivered to maildir)
//
// Shared by qmgr and every agent. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "delivery/protocol.hpp"

namespace correio::delivery {

// A time in seconds as Postfix's format_tv(..., 2, 2) prints it: two significant digits,
// at most two decimals, trailing zeros dropped; numbers of 10 s and more are rounded to
// whole seconds. 80000 us -> "0.08", 1.234 s -> "1.2", 12.3 s -> "12", 0 -> "0".
// Negative values print as "0".
std::string format_delay(int64_t microseconds);

// The moments of one delivery, microseconds since the epoch. delays=a/b/c/d are:
// a = arrival..active (before the queue manager), b = active..start (in the queue
// manager), c = start..connected (connection set-up; 0 for local agents),
// d = connected..done (transmission). delay= is arrival..done.
struct DeliveryTimes {
  int64_t arrival_us = 0;
  int64_t active_us = 0;
  int64_t start_us = 0;
  int64_t connected_us = 0;
  int64_t done_us = 0;
};

struct RecipientLogLine {
  std::string_view queue_id;
  std::string_view to;
  std::string_view orig_to;  // logged only when it differs from `to` (ignoring case)
  std::string_view relay;    // "virtual", "local", "mx.example.com[192.0.2.1]:25", ...
  DeliveryTimes times;
  std::string_view dsn;
  DeliveryStatus status = DeliveryStatus::sent;
  std::string_view text;  // the part in parentheses after status=
  // Postfix's soft_bounce = yes (global/bounce.c): a would-be bounce is logged as
  // "dsn=4.x.x, status=SOFTBOUNCE (text)" and qmgr defers the recipient instead.
  bool soft_bounce = false;
};

// The line without the log tag, e.g. "4F3A2B1C: to=<bob@example.com>, relay=...".
std::string format_recipient_log(const RecipientLogLine& line);

// soft_bounce's rewrite of a bounce: the enhanced status code's class becomes 4
// ("5.1.1" -> "4.1.1"), the text stays. Anything else is returned unchanged.
std::string soft_bounce_dsn(std::string_view dsn);

}  // namespace correio::delivery
