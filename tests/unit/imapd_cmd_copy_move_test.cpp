// COPY, MOVE and their UID forms (RFC 9051 §6.4.7, RFC 4315 COPYUID, RFC 6851 MOVE)
// over a real session.
#include <gtest/gtest.h>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapCopyMove, CopyAnswersCopyUid) {
  Transcript t;
  ASSERT_TRUE(t.user().create_folder("Archive.2026"));
  t.deliver("Subject: one\n\nx\n");
  t.deliver("Subject: two\n\ny\n");
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 COPY 1:2 Archive.2026
S: a2 OK [COPYUID {*} 1:2 1:2] Copy completed.
C: a3 STATUS Archive.2026 (MESSAGES)
S: * STATUS Archive.2026 (MESSAGES 2)
S: a3 OK Status completed.
C: a4 COPY 1 Nonexistent
S: a4 NO [TRYCREATE] {*}
)"),
            "");
}

TEST(ImapCopyMove, MoveExpungesFromTheSource) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  t.deliver("Subject: two\n\ny\n");
  t.connect_and_login();
  // RFC 6851 §4.3: COPYUID in an untagged OK, then the EXPUNGEs, then the tagged OK.
  EXPECT_EQ(t.run(R"(C: a1 SELECT INBOX
S~ a1 OK [READ-WRITE] {*}
C: a2 UID MOVE 2 Trash
S: * OK [COPYUID {*} 2 1] {*}
S: * 2 EXPUNGE
S: a2 OK Move completed.
C: a3 STATUS Trash (MESSAGES)
S: * STATUS Trash (MESSAGES 1)
S: a3 OK Status completed.
C: a4 FETCH 1:* (UID)
S: * 1 FETCH (UID 1)
S: a4 OK Fetch completed.
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
