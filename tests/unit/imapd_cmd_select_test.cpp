// SELECT, EXAMINE, CLOSE, UNSELECT (RFC 9051 §6.3.2-3, §6.4.1-2, RFC 3691) over a real
// session: the untagged data a client needs, in RFC 9051 §6.3.2's order.
#include <gtest/gtest.h>

#include "imapd/select_args.hpp"
#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapSelectArgs, CondstoreAndQresyncParameters) {
  // RFC 7162 §3.2.5.2's example form.
  Parser p("INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
  auto args = parse_select_args(p, "SELECT", true);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->name, "INBOX");
  EXPECT_TRUE(args->qresync);
  EXPECT_EQ(args->known_validity, 67890007u);
  EXPECT_EQ(args->known_modseq, 20050715194045000u);
  ASSERT_TRUE(args->known_uids);
  EXPECT_TRUE(args->known_uids->contains(300, 1000));
  Parser q("INBOX (QRESYNC (1 2))");
  EXPECT_FALSE(parse_select_args(q, "SELECT", false));  // not ENABLEd
  Parser r("Work (CONDSTORE)");
  auto condstore = parse_select_args(r, "EXAMINE", false);
  ASSERT_TRUE(condstore);
  EXPECT_TRUE(condstore->condstore);
  for (std::string_view bad : {"", "INBOX (", "INBOX (FOO)", "INBOX x"}) {
    Parser b(bad);
    EXPECT_FALSE(parse_select_args(b, "SELECT", true)) << bad;
  }
}

TEST(ImapSelect, ReportsTheFolderState) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  mailbox::Flags seen;
  seen.system = mailbox::kSeen;
  t.deliver("Subject: two\n\ny\n", "INBOX", seen);
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
S: * OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.
S: * 2 EXISTS
S: * 2 RECENT
S: * OK [UNSEEN 1] First unseen.
S: * OK [UIDVALIDITY {*}] UIDs valid
S: * OK [MAILBOXID ({*})] Ok
S: * OK [UIDNEXT 3] Predicted next UID
S: * OK [HIGHESTMODSEQ {*}] Highest
S: a1 OK [READ-WRITE] Select completed.
)"),
            "");
}

TEST(ImapSelect, ExamineIsReadOnlyAndClaimsNoRecent) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 EXAMINE INBOX
S~ * 1 EXISTS
S: * 1 RECENT
S~ a1 OK [READ-ONLY] Examine completed.
C: a2 STORE 1 +FLAGS (\Seen)
S: a2 NO {*}
)"),
            "");
  // A second session still sees the message as \Recent: EXAMINE claimed nothing.
  t.connect_and_login();
  EXPECT_EQ(t.run("C: b1 SELECT INBOX\nS~ * 1 RECENT\nS~ b1 OK [READ-WRITE] {*}\n"), "");
}

TEST(ImapSelect, SelectingAnotherFolderClosesTheFirst) {
  Transcript t;
  ASSERT_TRUE(t.user().create_folder("Work"));
  t.connect_and_login();
  // RFC 7162 §3.2.11 / RFC 9051 §6.3.2: [CLOSED] before the new folder's data.
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 SELECT Work
S: * OK [CLOSED] Previous mailbox closed.
S~ a2 OK [READ-WRITE] {*}
C: a3 UNSELECT
S: a3 OK Unselect completed.
C: a4 FETCH 1 FLAGS
S: a4 BAD {*}No mailbox selected.
C: a5 SELECT Nonexistent
S: a5 NO {*}
)"),
            "");
}

TEST(ImapSelect, CloseExpungesDeletedMessagesSilently) {
  Transcript t;
  mailbox::Flags deleted;
  deleted.system = mailbox::kDeleted;
  t.deliver("Subject: one\n\nx\n", "INBOX", deleted);
  t.deliver("Subject: two\n\ny\n");
  t.connect_and_login();
  // RFC 9051 §6.4.1: CLOSE removes \Deleted messages and sends no EXPUNGE.
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 CLOSE
S: a2 OK Close completed.
C: a3 STATUS INBOX (MESSAGES)
S: * STATUS INBOX (MESSAGES 1)
S: a3 OK Status completed.
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
