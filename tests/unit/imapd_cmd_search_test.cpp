// SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SEARCHRES) over a
// real session; header searches read the store's cached header blocks.
#include <gtest/gtest.h>

#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

class ImapSearchCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    t.deliver("From: Alice <alice@example.test>\nSubject: lunch\n\nsoup today\n");
    mailbox::Flags seen;
    seen.system = mailbox::kSeen;
    t.deliver("From: Bob <bob@example.test>\nSubject: report\n\nnumbers\n", "INBOX", seen);
    t.deliver("From: alice@example.test\nSubject: Re: lunch\n\nyes, soup\n");
    t.connect_and_login();
    ASSERT_EQ(t.run("C: s0 SELECT INBOX\nS~ s0 OK [READ-WRITE] {*}\n"), "");
  }
  Transcript t;
};

TEST_F(ImapSearchCommand, FlagsHeadersAndBody) {
  EXPECT_EQ(t.run(R"(C: a1 SEARCH UNSEEN
S: * SEARCH 1 3
S: a1 OK Search completed.
C: a2 SEARCH FROM "alice"
S: * SEARCH 1 3
S: a2 OK Search completed.
C: a3 SEARCH SUBJECT lunch NOT FROM bob
S: * SEARCH 1 3
S: a3 OK Search completed.
C: a4 SEARCH BODY soup SEEN
S: * SEARCH
S: a4 OK Search completed.
C: a5 UID SEARCH OR SUBJECT report BODY "yes"
S: * SEARCH 2 3
S: a5 OK Search completed.
C: a6 SEARCH 2:* TEXT numbers
S: * SEARCH 2
S: a6 OK Search completed.
)"),
            "");
}

TEST_F(ImapSearchCommand, EsearchAndSavedResult) {
  // RFC 4731 §3.1 and RFC 5182 §2.1.
  EXPECT_EQ(t.run(R"(C: a1 SEARCH RETURN (MIN MAX COUNT) SUBJECT lunch
S: * ESEARCH (TAG "a1") MIN 1 MAX 3 COUNT 2
S: a1 OK Search completed.
C: a2 SEARCH RETURN (SAVE) FROM bob
S: a2 OK Search completed.
C: a3 FETCH $ (UID)
S: * 2 FETCH (UID 2)
S: a3 OK Fetch completed.
)"),
            "");
}

TEST_F(ImapSearchCommand, BadCharsetAndSyntax) {
  EXPECT_EQ(t.run(R"(C: a1 SEARCH CHARSET KOI8-R SUBJECT x
S: a1 NO [BADCHARSET {*}
C: a2 SEARCH NOSUCHKEY
S: a2 BAD {*}
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
