// SEARCH and UID SEARCH (RFC 9051 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SEARCHRES) over a
// real session; header searches read the store's cached header blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "imapd_transcript.hpp"
#include "scoped_time_zone.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

using correio::testing::ScopedTimeZone;

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

// Each message's MODSEQ as the store has it (MODSEQs are time-based, so not fixed).
uint64_t modseq_of(Transcript& t, uint32_t uid) {
  auto box = t.user().open_mailbox("INBOX");
  if (!box || !(*box)->sync()) return 0;
  const auto* m = (*box)->find(uid);
  return m == nullptr ? 0 : m->modseq;
}

TEST_F(ImapSearchCommand, ModseqDescribesTheReturnedMessages) {
  // RFC 4731 §3.2: with MIN or MAX alone the MODSEQ result is the highest of the messages
  // returned, not of every match; with COUNT or ALL it covers them all (RFC 7162 §3.1.5).
  ASSERT_EQ(t.run("C: a1 STORE 3 +FLAGS.SILENT (\\Flagged)\nS: a1 OK Store completed.\n"), "");
  uint64_t ms1 = modseq_of(t, 1), ms2 = modseq_of(t, 2), ms3 = modseq_of(t, 3);
  ASSERT_TRUE(ms1 != 0 && ms2 != 0 && ms3 > ms1 && ms3 > ms2) << ms1 << " " << ms2 << " " << ms3;
  uint64_t ms12 = std::max(ms1, ms2);
  EXPECT_EQ(t.run("C: a3 SEARCH RETURN (MIN) MODSEQ 1\n"
                  "S: * ESEARCH (TAG \"a3\") MIN 1 MODSEQ " +
                  std::to_string(ms1) +
                  "\n"
                  "S: a3 OK Search completed.\n"
                  "C: a4 SEARCH RETURN (MIN MAX) MODSEQ 1 NOT FLAGGED\n"
                  "S: * ESEARCH (TAG \"a4\") MIN 1 MAX 2 MODSEQ " +
                  std::to_string(ms12) +
                  "\n"
                  "S: a4 OK Search completed.\n"
                  "C: a5 SEARCH RETURN (MIN COUNT) MODSEQ 1\n"
                  "S: * ESEARCH (TAG \"a5\") MIN 1 COUNT 3 MODSEQ " +
                  std::to_string(ms3) +
                  "\n"
                  "S: a5 OK Search completed.\n"
                  "C: a6 SEARCH MODSEQ 1\n"
                  "S: * SEARCH 1 2 3 (MODSEQ " +
                  std::to_string(ms3) +
                  ")\n"
                  "S: a6 OK Search completed.\n"),
            "");
}

TEST(ImapSearchDates, InternalDateIsTheServersLocalDay) {
  // RFC 3501 §6.4.4 compares internal dates "disregarding time and timezone"; as Dovecot,
  // Correio writes INTERNALDATE in the server's zone and BEFORE/ON/SINCE take that day.
  // 23:30 -0400 on 17 July is 03:30 UTC on the 18th.
  for (const char* zone : {"EST5EDT", "UTC0"}) {
    ScopedTimeZone tz(zone);
    bool eastern = std::string(zone) == "EST5EDT";
    Transcript t;
    t.connect_and_login();
    std::string message = "Subject: late\\r\\n\\r\\nhi\\r\\n";  // 21 octets sent
    std::string script =
        "C: a1 APPEND INBOX \"17-Jul-1996 23:30:00 -0400\" {" + std::to_string(message.size() - 6) +
        "+}\\r\\n" + message + "\n" +
        "S~ a1 OK {*}\n"
        "C: a2 SELECT INBOX\n"
        "S~ a2 OK [READ-WRITE] {*}\n"
        "C: a3 FETCH 1 (INTERNALDATE)\n" +
        (eastern ? "S: * 1 FETCH (INTERNALDATE \"17-Jul-1996 23:30:00 -0400\")\n"
                 : "S: * 1 FETCH (INTERNALDATE \"18-Jul-1996 03:30:00 +0000\")\n") +
        "S: a3 OK Fetch completed.\n"
        "C: a4 SEARCH ON 17-Jul-1996\n" +
        (eastern ? "S: * SEARCH 1\n" : "S: * SEARCH\n") +
        "S: a4 OK Search completed.\n"
        "C: a5 SEARCH SINCE 18-Jul-1996\n" +
        (eastern ? "S: * SEARCH\n" : "S: * SEARCH 1\n") +
        "S: a5 OK Search completed.\n"
        "C: a6 SEARCH BEFORE 18-Jul-1996\n" +
        (eastern ? "S: * SEARCH 1\n" : "S: * SEARCH\n") + "S: a6 OK Search completed.\n";
    EXPECT_EQ(t.run(script), "") << zone;
  }
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
