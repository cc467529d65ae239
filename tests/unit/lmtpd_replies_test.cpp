// lmtpd's RCPT and per-recipient DATA replies (RFC 2033 §4.2, RFC 3463 codes).
#include <gtest/gtest.h>

#include "lmtpd/replies.hpp"

namespace correio::lmtpd {
namespace {

using delivery::DeliveryStatus;
using delivery::MailboxOutcome;

TEST(LmtpdReplies, RcptKnownUnknownAndDirectoryFailure) {
  auth::UserRecord user;
  user.user = "demo@example.test";
  Result<std::optional<auth::UserRecord>> known = std::optional<auth::UserRecord>(user);
  EXPECT_EQ(rcpt_reply("demo@example.test", known).to_wire(),
            "250 2.1.5 <demo@example.test> Ok\r\n");
  Result<std::optional<auth::UserRecord>> unknown = std::optional<auth::UserRecord>();
  EXPECT_EQ(rcpt_reply("x@example.test", unknown).to_wire(),
            "550 5.1.1 <x@example.test>: Recipient address rejected: User unknown in virtual "
            "mailbox table\r\n");
  Result<std::optional<auth::UserRecord>> failed = Error{"cannot read /etc/users"};
  smtp::Reply r = rcpt_reply("x@example.test", failed);
  EXPECT_EQ(r.code, 451);
  EXPECT_EQ(r.enhanced, "4.3.0");
}

TEST(LmtpdReplies, DeliveryOutcomesMapToLmtpCodes) {
  auto code_of = [](DeliveryStatus status, std::string dsn) {
    MailboxOutcome outcome{status, dsn, "why", ""};
    smtp::Reply r = delivery_reply("u@example.test", "ABCDE1", outcome);
    return std::to_string(r.code) + " " + r.enhanced;
  };
  EXPECT_EQ(code_of(DeliveryStatus::sent, "2.0.0"), "250 2.0.0");
  EXPECT_EQ(code_of(DeliveryStatus::bounced, "5.2.2"), "552 5.2.2");
  EXPECT_EQ(code_of(DeliveryStatus::bounced, "5.1.1"), "550 5.1.1");
  EXPECT_EQ(code_of(DeliveryStatus::deferred, "4.3.1"), "452 4.3.1");
  EXPECT_EQ(code_of(DeliveryStatus::deferred, "4.2.2"), "452 4.2.2");
  EXPECT_EQ(code_of(DeliveryStatus::deferred, "4.2.0"), "451 4.2.0");
  EXPECT_EQ(code_of(DeliveryStatus::deferred, ""), "451 4.3.0");
  MailboxOutcome saved{DeliveryStatus::sent, "2.0.0", "delivered to maildir", "1.M2P3.h"};
  EXPECT_EQ(delivery_reply("u@example.test", "ABCDE1", saved).to_wire(),
            "250 2.0.0 <u@example.test> ABCDE1 Saved\r\n");
}

}  // namespace
}  // namespace correio::lmtpd
