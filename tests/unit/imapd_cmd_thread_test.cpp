// THREAD and UID THREAD (RFC 5256 §4: ORDEREDSUBJECT and REFERENCES) over a real session.
// The expected thread lists are Dovecot 2.3's answers over the same eight messages.
#include <gtest/gtest.h>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

// Two conversations and a stray: "meeting" (1, a reply 2 with References, a reply 3 with
// none, 7 answering 2 by In-Reply-To only), "lunch" (4, a reply 5 whose References name a
// message we do not have, a "Fwd:" 8 without references) and 6 without a Date:.
class ImapThreadCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    t.deliver("Message-ID: <a@x>\nSubject: meeting\nDate: Sun, 01 Jan 2023 09:00:00 +0000\n\n1\n");
    t.deliver(
        "Message-ID: <b@x>\nIn-Reply-To: <a@x>\nReferences: <a@x>\nSubject: Re: meeting\n"
        "Date: Mon, 02 Jan 2023 09:00:00 +0000\n\n2\n");
    t.deliver(
        "Message-ID: <c@x>\nSubject: Re: meeting\nDate: Tue, 03 Jan 2023 09:00:00 +0000\n\n3\n");
    t.deliver("Message-ID: <d@x>\nSubject: lunch\nDate: Sun, 01 Jan 2023 12:00:00 +0000\n\n4\n");
    t.deliver(
        "Message-ID: <e@x>\nReferences: <d@x> <missing@x>\nSubject: Re: lunch\n"
        "Date: Thu, 05 Jan 2023 09:00:00 +0000\n\n5\n");
    t.deliver("Message-ID: <f@x>\nSubject: other\n\n6\n");
    t.deliver(
        "Message-ID: <g@x>\nIn-Reply-To: <b@x>\nSubject: Re: meeting\n"
        "Date: Wed, 04 Jan 2023 09:00:00 +0000\n\n7\n");
    t.deliver(
        "Message-ID: <h@x>\nSubject: Fwd: lunch\nDate: Fri, 06 Jan 2023 09:00:00 +0000\n\n8\n");
    t.connect_and_login();
    ASSERT_EQ(t.run("C: s0 SELECT INBOX\nS~ s0 OK [READ-WRITE] {*}\n"), "");
  }
  Transcript t;
};

TEST_F(ImapThreadCommand, References) {
  // RFC 5256 §4 REFERENCES step 5: replies without References (3, 8) join the thread
  // whose root has the same base subject and is not itself a reply.
  EXPECT_EQ(t.run(R"(C: a1 THREAD REFERENCES UTF-8 ALL
S: * THREAD (1 (2 7)(3))(4 (5)(8))(6)
S: a1 OK Thread completed.
)"),
            "");
}

TEST_F(ImapThreadCommand, OrderedSubject) {
  // RFC 5256 §4 ORDEREDSUBJECT: grouped by base subject, the first by date is the parent
  // of the others, the threads ordered by their first message's date.
  EXPECT_EQ(t.run(R"(C: a2 THREAD ORDEREDSUBJECT UTF-8 ALL
S: * THREAD (1 (2)(3)(7))(4 (5)(8))(6)
S: a2 OK Thread completed.
)"),
            "");
}

TEST_F(ImapThreadCommand, UidSubsetEmptyAndErrors) {
  // Without message 1, 2 and 3 are siblings under a dummy root (Dovecot's answer too).
  EXPECT_EQ(t.run(R"(C: a3 UID THREAD REFERENCES UTF-8 2:*
S: * THREAD (4 (5)(8))((2 7)(3))(6)
S: a3 OK Thread completed.
C: a4 THREAD ORDEREDSUBJECT US-ASCII SUBJECT nothing
S: * THREAD
S: a4 OK Thread completed.
C: a5 THREAD REFS UTF-8 ALL
S: a5 BAD Error in IMAP command THREAD: Unknown thread algorithm
C: a6 THREAD REFERENCES KOI8-R ALL
S: a6 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.
C: a7 THREAD REFERENCES UTF-8
S: a7 BAD Error in IMAP command THREAD: Missing search parameters
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
