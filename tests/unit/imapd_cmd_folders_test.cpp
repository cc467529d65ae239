// CREATE, DELETE, RENAME and STATUS (RFC 9051 §6.3.4-6, §6.3.11, RFC 8438 STATUS=SIZE,
// RFC 7162 HIGHESTMODSEQ, RFC 8474 MAILBOXID) over a real session, compared with Dovecot
// 2.3's answers on a Maildir++ store with the same "." separator.
#include <gtest/gtest.h>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapFolders, CreateMakesHierarchyWithNoselectParents) {
  Transcript t;
  t.connect_and_login();
  // RFC 9051 §6.3.4: the superior names a new name needs are created as needed; a
  // trailing separator only declares children to come. Maildir++ keeps a parent that
  // was never created as a name without a folder: \Noselect (Dovecot lists the same).
  EXPECT_EQ(t.run(R"(C: a1 CREATE Work
S: a1 OK [MAILBOXID ({*})] Create completed.
C: a2 CREATE Work
S: a2 NO [ALREADYEXISTS] Mailbox already exists
C: a3 CREATE Projects.2026.Q1
S: a3 OK {*}Create completed.
C: a4 CREATE INBOX
S: a4 NO [ALREADYEXISTS] Mailbox already exists
C: a5 CREATE Trailing.
S: a5 OK {*}Create completed.
C: a6 LIST "" "Projects*"
S: * LIST (\Noselect \HasChildren) "." Projects
S: * LIST (\Noselect \HasChildren) "." Projects.2026
S: * LIST (\HasNoChildren) "." Projects.2026.Q1
S: a6 OK List completed.
C: a6b LIST "" "Trailing*"
S: * LIST (\HasNoChildren) "." Trailing
S: a6b OK List completed.
C: a7 CREATE "bad..name"
S: a7 NO [CANNOT] {*}
C: a8 CREATE
S: a8 BAD Error in IMAP command CREATE: Invalid arguments.
)"),
            "");
}

TEST(ImapFolders, DeleteRefusesInboxMissingAndNoselectParents) {
  Transcript t;
  ASSERT_TRUE(t.user().create_folder("Projects.2026"));
  ASSERT_TRUE(t.user().create_folder("Old"));
  t.deliver("Subject: old\n\nx\n", "Old");
  t.connect_and_login();
  // RFC 9051 §6.3.5: deleting a name with inferiors and \Noselect is an error (Dovecot:
  // NO [NONEXISTENT], the name is no folder); INBOX cannot be deleted.
  EXPECT_EQ(t.run(R"(C: b1 DELETE Projects
S: b1 NO [NONEXISTENT] {*}
C: b2 DELETE Nope
S: b2 NO [NONEXISTENT] {*}
C: b3 DELETE INBOX
S: b3 NO [CANNOT] INBOX can't be deleted.
C: b4 SELECT Old
S~ b4 OK [READ-WRITE] {*}
C: b5 DELETE Old
S: * OK [CLOSED] Mailbox deleted.
S: b5 OK Delete completed.
C: b6 FETCH 1 FLAGS
S: b6 BAD Error in IMAP command FETCH: No mailbox selected.
C: b7 DELETE Projects.2026
S: b7 OK Delete completed.
C: b8 LIST "" "P*"
S: b8 OK List completed.
)"),
            "");
}

TEST(ImapFolders, RenameMovesInferiorsAndKeepsMailboxId) {
  Transcript t;
  ASSERT_TRUE(t.user().create_folder("Projects.2026.Q1"));
  ASSERT_TRUE(t.user().create_folder("Work"));
  t.deliver("Subject: w\n\nx\n", "Work");
  t.connect_and_login();
  // RFC 9051 §6.3.6: inferior names are renamed too; renaming onto a \Noselect name
  // that only holds children is allowed (Dovecot too). RFC 8474 §4.2: the MAILBOXID
  // stays with the folder.
  EXPECT_EQ(t.run(R"(C: c1 STATUS Work (MAILBOXID MESSAGES)
S: * STATUS Work (MAILBOXID ({*}) MESSAGES 1)
S: c1 OK Status completed.
C: c2 RENAME Projects Attic
S: c2 OK Rename completed.
C: c3 RENAME Work Attic.2026
S: c3 OK Rename completed.
C: c4 LIST "" "Attic*"
S: * LIST (\Noselect \HasChildren) "." Attic
S: * LIST (\HasChildren) "." Attic.2026
S: * LIST (\HasNoChildren) "." Attic.2026.Q1
S: c4 OK List completed.
C: c5 STATUS Attic.2026 (MESSAGES)
S: * STATUS Attic.2026 (MESSAGES 1)
S: c5 OK Status completed.
C: c6 RENAME Nope X
S: c6 NO [NONEXISTENT] Mailbox doesn't exist: Nope
C: c7 RENAME Attic.2026 Attic.2026.Q1
S: c7 NO {*}
C: c8 RENAME Attic.2026
S: c8 BAD Error in IMAP command RENAME: Invalid arguments.
)"),
            "");
}

TEST(ImapFolders, RenameInbox) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  t.deliver("Subject: two\n\ny\n");
  t.connect_and_login();
  // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name and leaves INBOX
  // empty (Dovecot's Maildir++ refuses with NO [CANNOT]).
  EXPECT_EQ(t.run(R"(C: d1 RENAME INBOX Old
S: d1 OK Rename completed.
C: d2 STATUS Old (MESSAGES)
S: * STATUS Old (MESSAGES 2)
S: d2 OK Status completed.
C: d3 STATUS INBOX (MESSAGES UIDNEXT)
S: * STATUS INBOX (MESSAGES 0 UIDNEXT {*})
S: d3 OK Status completed.
)"),
            "");
}

TEST(ImapStatus, EveryItem) {
  Transcript t;
  mailbox::Flags seen;
  seen.system = mailbox::kSeen;
  t.deliver("Subject: one\n\nx\n");  // 19 bytes with CRLF
  t.deliver("Subject: two\n\nyy\n", "INBOX", seen);
  mailbox::Flags deleted;
  deleted.system = mailbox::kDeleted;
  t.deliver("Subject: three\n\nzzz\n", "INBOX", deleted);
  t.connect_and_login();
  // RFC 9051 §6.3.11 in the order asked; SIZE (RFC 8438) counts CRLF line ends as a
  // FETCH RFC822.SIZE does; DELETED (RFC 9051 §7.5.2) the \Deleted messages.
  EXPECT_EQ(t.run(R"(C: e1 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE DELETED)
S: * STATUS INBOX (MESSAGES 3 RECENT 3 UIDNEXT 4 UIDVALIDITY {*} UNSEEN 2 SIZE 62 DELETED 1)
S: e1 OK Status completed.
C: e2 STATUS INBOX (HIGHESTMODSEQ MAILBOXID)
S: * STATUS INBOX (HIGHESTMODSEQ {*} MAILBOXID ({*}))
S: e2 OK Status completed.
C: e3 STATUS Nope (MESSAGES)
S: e3 NO [NONEXISTENT] Mailbox doesn't exist: Nope
C: e4 STATUS INBOX (FOO)
S: e4 BAD Error in IMAP command STATUS: {*}
C: e5 STATUS INBOX ()
S: e5 BAD Error in IMAP command STATUS: {*}
C: e6 STATUS INBOX MESSAGES
S: e6 BAD Error in IMAP command STATUS: {*}
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
