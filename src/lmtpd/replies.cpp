// RCPT and per-recipient DATA replies (see replies.hpp).
#include "lmtpd/replies.hpp"

#include <fmt/format.h>

namespace correio::lmtpd {

using delivery::DeliveryStatus;

smtp::Reply rcpt_reply(std::string_view address,
                       const Result<std::optional<auth::UserRecord>>& lookup) {
  if (!lookup)
    return smtp::Reply(451, "4.3.0", fmt::format("<{}>: Temporary lookup failure", address));
  if (!*lookup)
    return smtp::Reply(
        550, "5.1.1",
        fmt::format("<{}>: Recipient address rejected: User unknown in virtual mailbox table",
                    address));
  return smtp::Reply(250, "2.1.5", fmt::format("<{}> Ok", address));
}

smtp::Reply delivery_reply(std::string_view recipient, std::string_view id,
                           const delivery::MailboxOutcome& outcome) {
  switch (outcome.status) {
    case DeliveryStatus::sent:
      return smtp::Reply(250, "2.0.0", fmt::format("<{}> {} Saved", recipient, id));
    case DeliveryStatus::bounced: {
      // RFC 3463: X.2.2 is "mailbox full"; RFC 5321 gives it 552.
      int code = outcome.dsn.starts_with("5.2.") ? 552 : 550;
      return smtp::Reply(code, outcome.dsn, fmt::format("<{}> {}", recipient, outcome.text));
    }
    case DeliveryStatus::deferred:
      break;
  }
  int code = (outcome.dsn == "4.3.1" || outcome.dsn == "4.2.2") ? 452 : 451;
  std::string_view dsn = outcome.dsn.empty() ? std::string_view("4.3.0") : outcome.dsn;
  return smtp::Reply(code, dsn, fmt::format("<{}> {}", recipient, outcome.text));
}

}  // namespace correio::lmtpd
