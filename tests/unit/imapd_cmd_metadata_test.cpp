// GETMETADATA and SETMETADATA (RFC 5464 §4.2-§4.3) over a real session, compared with
// Dovecot 2.3's answers (imap_metadata = yes with a file dictionary).
#include <gtest/gtest.h>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapMetadata, SetGetAndDelete) {
  Transcript t;
  t.connect_and_login();
  // RFC 5464 §4.3: NIL removes an entry; §4.2: a missing entry asked at DEPTH 0 is NIL.
  EXPECT_EQ(t.run(R"(C: a1 SETMETADATA INBOX (/private/comment "hello" /shared/comment "shared one")
S: a1 OK Setmetadata completed.
C: a2 GETMETADATA INBOX /private/comment
S: * METADATA INBOX (/private/comment "hello")
S: a2 OK Getmetadata completed.
C: a3 GETMETADATA INBOX (/private/comment /shared/comment /private/nothing)
S: * METADATA INBOX (/private/comment "hello" /shared/comment "shared one" /private/nothing NIL)
S: a3 OK Getmetadata completed.
C: a4 SETMETADATA INBOX (/private/comment NIL)
S: a4 OK Setmetadata completed.
C: a5 GETMETADATA INBOX /private/comment
S: * METADATA INBOX (/private/comment NIL)
S: a5 OK Getmetadata completed.
C: a6 GETMETADATA INBOX (/Private/Comment /SHARED/COMMENT)
S: * METADATA INBOX (/private/comment NIL /shared/comment "shared one")
S: a6 OK Getmetadata completed.
)"),
            "");
}

TEST(ImapMetadata, DepthAndMaxSize) {
  Transcript t;
  t.connect_and_login();
  // RFC 5464 §4.2.1 MAXSIZE: longer values are left out and [METADATA LONGENTRIES n]
  // names the longest; §4.2.2 DEPTH 0, 1 and infinity below the entry asked. The server
  // entries ("") take the same commands.
  EXPECT_EQ(
      t.run(
          R"(C: b1 SETMETADATA "" (/private/vendor/x/a "1" /private/vendor/x/a/b "22" /private/vendor/x/a/b/c "333")
S: b1 OK Setmetadata completed.
C: b2 GETMETADATA (DEPTH 1) "" /private/vendor/x/a
S: * METADATA "" (/private/vendor/x/a "1" /private/vendor/x/a/b "22")
S: b2 OK Getmetadata completed.
C: b3 GETMETADATA (DEPTH infinity) "" /private/vendor/x
S: * METADATA "" (/private/vendor/x/a "1" /private/vendor/x/a/b "22" /private/vendor/x/a/b/c "333")
S: b3 OK Getmetadata completed.
C: b4 GETMETADATA (MAXSIZE 2) "" (/private/vendor/x/a /private/vendor/x/a/b /private/vendor/x/a/b/c)
S: * METADATA "" (/private/vendor/x/a "1" /private/vendor/x/a/b "22")
S: b4 OK [METADATA LONGENTRIES 3] Getmetadata completed.
C: b5 GETMETADATA (MAXSIZE 2 DEPTH 1) "" /private/vendor/x/a
S: * METADATA "" (/private/vendor/x/a "1" /private/vendor/x/a/b "22")
S: b5 OK Getmetadata completed.
C: b6 GETMETADATA (DEPTH 0) "" /private/vendor/x/a
S: * METADATA "" (/private/vendor/x/a "1")
S: b6 OK Getmetadata completed.
C: b7 GETMETADATA "" /private/vendor/x/a/b
S: * METADATA "" (/private/vendor/x/a/b "22")
S: b7 OK Getmetadata completed.
)"),
      "");
}

TEST(ImapMetadata, Errors) {
  Transcript t;
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: c1 SETMETADATA INBOX (/bogus "x")
S: c1 BAD Error in IMAP command SETMETADATA: {*}
C: c2 SETMETADATA Nope (/private/comment "x")
S: c2 NO {*}
C: c3 GETMETADATA Nope /private/comment
S: c3 NO {*}
C: c4 GETMETADATA (DEPTH 2) INBOX /private/comment
S: c4 BAD Error in IMAP command GETMETADATA: {*}
C: c5 SETMETADATA INBOX (/private/vendor/x/ "x")
S: c5 BAD Error in IMAP command SETMETADATA: {*}
C: c6 GETMETADATA INBOX
S: c6 BAD Error in IMAP command GETMETADATA: {*}
C: c7 SETMETADATA INBOX (/private/comment)
S: c7 BAD Error in IMAP command SETMETADATA: {*}
C: c8 GETMETADATA (FOO 1) "" /private/x
S: c8 BAD Error in IMAP command GETMETADATA: {*}
C: c9 GETMETADATA (MAXSIZE -1) "" /private/x
S: c9 BAD Error in IMAP command GETMETADATA: {*}
C: d1 SETMETADATA "" (/shared/admin "mailto:x@example.test")
S: d1 NO [CANNOT] {*}
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
