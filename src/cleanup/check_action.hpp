// The action a header_checks/body_checks table returns (header_checks(5) ACTIONS): the
// command word, case-insensitive, and its optional text, checked the way Postfix's
// cleanup_act() checks them. Pure functions over values; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace correio::cleanup {

enum class CheckVerb {
  reject,    // REJECT [text]: the whole message; 5.7.1 unless the text has a DSN code
  defer,     // REJECT with a 4.x.x code in the text: try again later
  warn,      // WARN [text]: log only
  info,      // INFO [text]: log only (Postfix 3.2)
  discard,   // DISCARD [text]: claim delivery, keep nothing
  hold,      // HOLD [text]: into the hold queue
  filter,    // FILTER transport:destination
  redirect,  // REDIRECT user@domain: instead of all recipients
  bcc,       // BCC user@domain: one more recipient (Postfix 3.0)
  prepend,   // PREPEND text: a line before this one
  replace,   // REPLACE text: this line instead
  ignore,    // IGNORE: drop this line
  strip,     // STRIP [text]: drop this line, and log it (Postfix 3.2)
  pass,      // PASS [text]: no more header or body checks for this message (Postfix 3.2)
  dunno,     // DUNNO, OK: as if nothing matched
  invalid,   // an unknown word or missing or bad text: warn, then act as DUNNO
};

struct CheckAction {
  CheckVerb verb = CheckVerb::dunno;
  std::string text;  // the optional text; for reject/defer "X.Y.Z text" with the code
  // What to log as a warning (Postfix's wording): why an action is invalid, or, for a
  // reject with a code that is neither 4.x.x nor 5.x.x, that it became 4.x.x.
  std::string problem;
};

// Parses a table's value. `header`: the line checked is a header, where PREPEND and
// REPLACE text must itself be a header ("Name: value"). `map` names the parameter in
// problems ("header_checks").
CheckAction parse_check_action(std::string_view value, bool header, std::string_view map);

// header_checks(5): the smtp(8)/lmtp(8) client's checks ("smtp_header_checks" ...) support
// only the actions that change or log one line: DUNNO/OK, IGNORE, INFO, PREPEND, REPLACE,
// STRIP and WARN. The others act on the whole message, which cleanup does before queueing.
// `invalid` counts as supported (it is warned about and acts as DUNNO everywhere).
bool supported_in_delivery(CheckVerb verb);

// Whether `text` starts with a header label "Name:" (RFC 5322 §2.2 field-name).
bool is_header_label(std::string_view text);

}  // namespace correio::cleanup
