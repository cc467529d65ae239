// The result of an access(5) table lookup, parsed: OK, all-digits, REJECT, DEFER,
// DEFER_IF_REJECT, DEFER_IF_PERMIT, 4NN/5NN text, DISCARD, HOLD, REDIRECT, FILTER,
// PREPEND, WARN, INFO, DUNNO, BCC, or anything else: a restriction list (a class name).
// Pure functions; the fuzz target fuzz/access_action_fuzz.cpp feeds them.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::smtpd::access {

enum class ActionKind {
  ok,               // OK, or an all-numerical value (access(5): "treated as OK")
  reject,           // REJECT [text]: access_map_reject_code
  defer,            // DEFER [text]: access_map_defer_code
  defer_if_reject,  // DEFER_IF_REJECT [text]
  defer_if_permit,  // DEFER_IF_PERMIT [text]
  reply,            // 4NN text, 5NN text (code, optional enhanced status, text)
  discard,          // DISCARD [text]
  hold,             // HOLD [text]
  redirect,         // REDIRECT user@domain
  filter,           // FILTER transport:destination
  prepend,          // PREPEND headername: headervalue
  warn,             // WARN [text]
  info,             // INFO [text]
  dunno,            // DUNNO
  bcc,              // BCC user@domain
  restrictions,     // anything else: a restriction list ("permit_mynetworks, reject")
};

struct AccessAction {
  ActionKind kind = ActionKind::dunno;
  int code = 0;  // reply: the 4NN/5NN code
  // reply, REJECT, DEFER, DEFER_IF_*: the RFC 3463 code when the text starts with one
  std::string enhanced;
  std::string text;  // the rest (reply text, header, address, restriction list)
};

// Parses one table value. Errors (which Postfix logs and answers with "451 4.3.5 Server
// configuration error"): a 3-digit reply code outside 4xx/5xx, an enhanced status code
// whose class differs from the reply code's, REDIRECT/FILTER/PREPEND/BCC without their
// argument, a PREPEND text that is not a header.
Result<AccessAction> parse_access_action(std::string_view value);

}  // namespace correio::smtpd::access
