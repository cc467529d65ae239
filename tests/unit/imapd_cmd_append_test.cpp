// APPEND (RFC 9051 §6.3.12, RFC 4315 APPENDUID, RFC 7888 LITERAL+) over a real session.
#include <gtest/gtest.h>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapAppend, SynchronizingAndNonSynchronizingLiterals) {
  Transcript t;
  t.connect_and_login();
  // RFC 9051 §6.3.12's example: the server asks for the literal with a continuation.
  EXPECT_EQ(t.run(R"(C: a1 APPEND INBOX (\Seen) {20}
S: + {*}
C: Subject: hi\r\n\r\nhello
S: a1 OK [APPENDUID {*} 1] Append completed.
C: a2 APPEND INBOX {12+}
C: Subject: x\r\n
S: a2 OK [APPENDUID {*} 2] Append completed.
C: a3 SELECT INBOX
S~ * 2 EXISTS
S~ a3 OK [READ-WRITE] {*}
C: a4 FETCH 1:2 (FLAGS BODY.PEEK[TEXT])
S: * 1 FETCH (FLAGS (\Seen \Recent) BODY[TEXT] {5}\r\nhello)
S: * 2 FETCH (FLAGS (\Recent) BODY[TEXT] {0}\r\n)
S: a4 OK Fetch completed.
)"),
            "");
}

TEST(ImapAppend, RefusesMissingFolderAndBadFlags) {
  Transcript t;
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 APPEND Nowhere {3+}
C: a\r\n
S: a1 NO [TRYCREATE] {*}
C: a2 APPEND INBOX (\Bogus) {3+}
C: a\r\n
S: a2 BAD Error in IMAP command APPEND: Invalid system flag \BOGUS
C: a3 APPEND INBOX (\Recent) {3+}
C: a\r\n
S: a3 BAD Error in IMAP command APPEND: Invalid system flag \RECENT
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
