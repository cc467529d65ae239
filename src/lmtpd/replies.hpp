// The replies that carry lmtpd's decisions, kept apart from the I/O so they can be tested:
// RCPT's answer from the user lookup, and the per-recipient answers after DATA (RFC 2033
// §4.2: one reply per accepted recipient, in RCPT order). Pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "auth/user_directory.hpp"
#include "base/result.hpp"
#include "delivery/mailbox_delivery.hpp"
#include "smtp/reply.hpp"

namespace correio::lmtpd {

// RCPT TO:<address>: 250 2.1.5 for a known user, 550 5.1.1 for an unknown one (the user
// directory is the recipient table, as for the virtual agent), 451 4.3.0 when the
// directory cannot be read (the client retries; never taken as "unknown").
smtp::Reply rcpt_reply(std::string_view address,
                       const Result<std::optional<auth::UserRecord>>& lookup);

// After the final dot, for one recipient: 250 2.0.0 when stored; 552 5.2.2 when the
// message is over virtual_mailbox_limit; 550 for other permanent failures; 452 for a full
// disk or mailbox (4.3.1, 4.2.2), 451 for other temporary ones. The text names the
// recipient (as Dovecot's LMTP does) and, on success, the transaction ID.
smtp::Reply delivery_reply(std::string_view recipient, std::string_view id,
                           const delivery::MailboxOutcome& outcome);

}  // namespace correio::lmtpd
