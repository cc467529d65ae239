// NOTIFY (RFC 5465) over a real session: the argument errors (BAD, NO [BADEVENT]) with
// Dovecot's wording, events sent between commands, and NOTIFICATIONOVERFLOW when more
// new messages arrive during one command than MessageNew may FETCH in one report.
#include <gtest/gtest.h>

#include <fstream>

#include "imapd/notify_args.hpp"
#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapNotify, ArgumentErrors) {
  Transcript t;
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 NOTIFY SET (SELECTED (MessageNew MessageExpunge AnnotationChange))
S: a1 NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)] Unsupported event AnnotationChange
C: a2 NOTIFY SET (SELECTED (MessageNew))
S: a2 BAD Error in IMAP command NOTIFY: MessageNew and MessageExpunge must be given together (RFC 5465 5.2).
C: a3 NOTIFY SET (SELECTED (MessageNew (BODY[]) MessageExpunge))
S: a3 BAD Error in IMAP command NOTIFY: MessageNew's fetch attributes may not set \Seen (use BODY.PEEK).
C: a4 NOTIFY SET (SELECTED (MessageNew (NOSUCH) MessageExpunge))
S: a4 BAD Error in IMAP command NOTIFY: Invalid events.
C: a5 NOTIFY SET (SELECTED NONE) (SELECTED-DELAYED NONE)
S: a5 BAD Error in IMAP command NOTIFY: SELECTED and SELECTED-DELAYED may be given once.
C: a6 NOTIFY SET (PERSONAL (MailboxMetadataChange ServerMetadataChange))
S: a6 OK NOTIFY completed.
C: a7 NOTIFY NONE
S: a7 OK NOTIFY completed.
)"),
            "");
}

TEST(ImapNotify, NewMessageFetchBetweenCommands) {
  Transcript t;
  t.connect_and_login();
  ASSERT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 NOTIFY SET (SELECTED (MessageNew (UID FLAGS) MessageExpunge))
S: a2 OK NOTIFY completed.
)"),
            "");
  t.deliver("Subject: one\n\nx\n");
  // No command: the session is between commands, and tells at once (RFC 5465 §3, §5.2).
  EXPECT_EQ(t.run(R"(S: * 1 EXISTS
S: * 1 RECENT
S: * 1 FETCH (UID 1 FLAGS (\Recent))
C: a3 NOOP
S: a3 OK NOOP completed.
)"),
            "");
}

TEST(ImapNotify, OverflowWhenTooManyNewMessages) {
  Transcript t;
  t.connect_and_login();
  ASSERT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 NOTIFY SET (SELECTED (MessageNew (UID) MessageExpunge))
S: a2 OK NOTIFY completed.
C: a3 APPEND INBOX {7}
S: + Ready for literal data
)"),
            "");
  // While APPEND waits for its literal the client is inside a command: nothing may be
  // sent, and deliveries pile up (straight into new/, as a fast MTA would).
  auto new_dir = t.user().root() / "new";
  for (size_t i = 0; i <= kNotifyMaxFetch; ++i)
    std::ofstream(new_dir / ("1700000000.M" + std::to_string(i) + "P1.test"))
        << "Subject: f\n\nx\n";
  EXPECT_EQ(t.run(R"(C: hello\r\n
S: * 1002 EXISTS
S: * 1002 RECENT
S: * OK [NOTIFICATIONOVERFLOW] Too many new messages: NOTIFY is now NONE
S: a3 OK [APPENDUID {*}] Append completed.
)"),
            "");
  // RFC 5465 §5.8: as after NOTIFY NONE, nothing comes unasked; NOOP reports as usual.
  t.deliver("Subject: later\n\nx\n");
  EXPECT_EQ(t.run(R"(C: a4 NOOP
S: * 1003 EXISTS
S: * 1003 RECENT
S: a4 OK NOOP completed.
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
