// IDLE (RFC 2177, RFC 9051 §6.3.13) over a real session: changes made by another
// session while idling arrive as untagged data; DONE ends it.
#include <gtest/gtest.h>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapIdle, ReportsANewMessageAndEndsWithDone) {
  Transcript t;
  t.deliver("Subject: one\n\nx\n");
  t.connect_and_login();
  ASSERT_EQ(t.run("C: a1 SELECT INBOX\nS~ a1 OK [READ-WRITE] {*}\nC: a2 IDLE\nS: + idling\n"), "");
  t.deliver("Subject: two\n\ny\n");
  EXPECT_EQ(t.run(R"(S: * 2 EXISTS
S: * 2 RECENT
C: DONE
S: a2 OK Idle completed.
)"),
            "");
}

TEST(ImapIdle, AnythingButDoneIsAnError) {
  Transcript t;
  t.connect_and_login();
  EXPECT_EQ(t.run(R"(C: a1 IDLE
S: + idling
C: NOOP
S: a1 BAD Expected DONE.
C: a2 IDLE extra
S: a2 BAD {*}
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
