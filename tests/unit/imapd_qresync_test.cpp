// QRESYNC (RFC 7162 §3.2) over real sessions: SELECT ... (QRESYNC (uidvalidity modseq
// [known-uids])) reports what vanished and what changed since, and UID FETCH ...
// (CHANGEDSINCE n VANISHED) the same for a set. Compared with Dovecot 2.3's answers.
#include <gtest/gtest.h>

#include <string>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

// Five messages; a first session (with QRESYNC) sees \Seen set on 2, 4 expunged and
// \Flagged set on 1 after the state a client remembered (`validity`, `modseq`).
class ImapQresync : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 5; ++i) t.deliver("Subject: m" + std::to_string(i) + "\n\nx\n");
    auto st = t.user().status("INBOX");
    ASSERT_TRUE(st);
    validity = std::to_string(st->uid_validity);
    modseq = std::to_string(st->highest_modseq);
    t.connect_and_login();
    // RFC 7162 §3.2.7: with QRESYNC on, this session's own expunge is VANISHED.
    ASSERT_EQ(t.run(R"(C: s1 ENABLE QRESYNC
S: * ENABLED QRESYNC
S: s1 OK Enabled.
C: s2 SELECT INBOX
S~ s2 OK [READ-WRITE] {*}
C: s3 STORE 2 +FLAGS.SILENT (\Seen)
S~ s3 OK Store completed.
C: s4 STORE 4 +FLAGS.SILENT (\Deleted)
S~ s4 OK Store completed.
C: s5 EXPUNGE
S: * VANISHED 4
S: s5 OK [HIGHESTMODSEQ {*}] Expunge completed.
C: s6 STORE 1 +FLAGS.SILENT (\Flagged)
S~ s6 OK Store completed.
)"),
              "");
    t.connect_and_login();
  }
  std::string select(const std::string& tag, const std::string& params) {
    return tag + " SELECT INBOX (QRESYNC (" + params + "))";
  }
  Transcript t;
  std::string validity, modseq;
};

TEST_F(ImapQresync, SelectReportsVanishedAndChanged) {
  // RFC 7162 §3.2.5.1: VANISHED (EARLIER) first, then FETCH (UID FLAGS MODSEQ) of what
  // changed since the modseq, after the untagged SELECT data.
  EXPECT_EQ(t.run("C: a1 ENABLE QRESYNC\nS~ a1 OK Enabled.\nC: " +
                  select("a2", validity + " " + modseq) + R"(
S~ * OK [HIGHESTMODSEQ {*}] Highest
S: * VANISHED (EARLIER) 4
S: * 1 FETCH (UID 1 FLAGS (\Flagged) MODSEQ ({*}))
S: * 2 FETCH (UID 2 FLAGS (\Seen) MODSEQ ({*}))
S: a2 OK [READ-WRITE] Select completed.
)"),
            "");
}

TEST_F(ImapQresync, KnownUidsLimitVanished) {
  // RFC 7162 §3.2.5.1: only UIDs in known-uids are reported as vanished; a wrong
  // UIDVALIDITY gets the plain SELECT answer (the client must resynchronise fully).
  EXPECT_EQ(t.run("C: a1 ENABLE QRESYNC\nS~ a1 OK Enabled.\nC: " +
                  select("a2", validity + " " + modseq + " 1:3") + R"(
S~ * OK [HIGHESTMODSEQ {*}] Highest
S: * 1 FETCH (UID 1 FLAGS (\Flagged) MODSEQ ({*}))
S: * 2 FETCH (UID 2 FLAGS (\Seen) MODSEQ ({*}))
S: a2 OK [READ-WRITE] Select completed.
C: )" + select("a3", "123 " + modseq) +
                  R"(
S: * OK [CLOSED] Previous mailbox closed.
S~ * OK [HIGHESTMODSEQ {*}] Highest
S: a3 OK [READ-WRITE] Select completed.
C: a4 EXAMINE INBOX (QRESYNC ()" +
                  validity + " 1 1:5 (1:4 1:4)))" + R"(
S: * OK [CLOSED] Previous mailbox closed.
S~ * OK [HIGHESTMODSEQ {*}] Highest
S: * VANISHED (EARLIER) 4
S: * 1 FETCH (UID 1 FLAGS (\Flagged) MODSEQ ({*}))
S: * 2 FETCH (UID 2 FLAGS (\Seen) MODSEQ ({*}))
S: * 3 FETCH (UID 3 FLAGS () MODSEQ ({*}))
S: * 4 FETCH (UID 5 FLAGS () MODSEQ ({*}))
S: a4 OK [READ-ONLY] Examine completed.
)"),
            "");
}

TEST_F(ImapQresync, UidFetchVanishedAndErrors) {
  EXPECT_EQ(t.run("C: " + select("a1", validity + " " + modseq) + R"(
S: a1 BAD {*}QRESYNC{*}
C: a2 ENABLE QRESYNC
S~ a2 OK Enabled.
C: a3 SELECT INBOX
S~ a3 OK [READ-WRITE] {*}
C: a4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE )" +
                  modseq + R"( VANISHED)
S: * VANISHED (EARLIER) 4
S: * 1 FETCH (UID 1 FLAGS (\Flagged) MODSEQ ({*}))
S: * 2 FETCH (UID 2 FLAGS (\Seen) MODSEQ ({*}))
S: a4 OK Fetch completed.
C: a5 FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)
S: a5 BAD {*}
C: a6 UID FETCH 1:3 (FLAGS) (CHANGEDSINCE 1 VANISHED)
S: * 1 FETCH (UID 1 FLAGS (\Flagged) MODSEQ ({*}))
S: * 2 FETCH (UID 2 FLAGS (\Seen) MODSEQ ({*}))
S: * 3 FETCH (UID 3 FLAGS () MODSEQ ({*}))
S: a6 OK Fetch completed.
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
