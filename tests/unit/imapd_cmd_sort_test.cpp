// SORT and UID SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 ESORT and
// CONTEXT=SORT) over a real session. The expected orders are Dovecot 2.3's answers to the
// same commands over the same five messages (imap -c with a test Maildir).
#include <gtest/gtest.h>

#include "imapd/sort_args.hpp"
#include "imapd_transcript.hpp"

namespace correio::imapd {
namespace {

using testing::Transcript;

TEST(ImapSortArgs, ParsesReturnCriteriaCharsetAndProgram) {
  Parser p("RETURN (MIN COUNT) (REVERSE DATE subject) UTF-8 UNSEEN 1:3");
  auto args = parse_sort_args(p);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_TRUE(args->esort);
  EXPECT_TRUE(args->r.min && args->r.count && !args->r.all);
  ASSERT_EQ(args->criteria.size(), 2u);
  EXPECT_EQ(args->criteria[0].key, "DATE");
  EXPECT_TRUE(args->criteria[0].reverse);
  EXPECT_EQ(args->criteria[1].key, "SUBJECT");
  EXPECT_FALSE(args->criteria[1].reverse);
  EXPECT_EQ(args->search.charset, "UTF-8");
  EXPECT_TRUE(args->needs_headers());
  Parser q("(SIZE ARRIVAL) X-UNKNOWN ALL");
  auto plain = parse_sort_args(q);
  ASSERT_TRUE(plain) << plain.error().message;  // the charset is judged when run
  EXPECT_FALSE(plain->esort);
  EXPECT_FALSE(plain->needs_headers());
}

TEST(ImapSortArgs, RefusesWithDovecotsWords) {
  auto error_of = [](std::string_view text) {
    Parser p(text);
    auto args = parse_sort_args(p);
    return args ? std::string("parsed") : args.error().message;
  };
  EXPECT_EQ(error_of("() UTF-8 ALL"), "Error in IMAP command SORT: Empty sort program");
  EXPECT_EQ(error_of("DATE UTF-8 ALL"), "Error in IMAP command SORT: Invalid sort argument");
  EXPECT_EQ(error_of("(DATE"), "Error in IMAP command SORT: Missing ')'");
  EXPECT_EQ(error_of("(foo) UTF-8 ALL"), "Error in IMAP command SORT: Unknown sort argument: foo");
  EXPECT_EQ(error_of("(DATE REVERSE) UTF-8 ALL"),
            "Error in IMAP command SORT: Sort list ends with REVERSE");
  EXPECT_EQ(error_of("(DATE) UTF-8"), "Error in IMAP command SORT: Missing search parameters");
  EXPECT_NE(error_of("RETURN (SAVE) (DATE) UTF-8 ALL"), "parsed");  // SEARCH's only
  EXPECT_NE(error_of("(DATE) UTF-8 ALL extra("), "parsed");
}

TEST(ImapThreadArgs, AlgorithmsAndErrors) {
  Parser p("orderedsubject US-ASCII SUBJECT x");
  auto args = parse_thread_args(p);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->algorithm, ThreadAlgorithm::orderedsubject);
  EXPECT_EQ(args->search.charset, "US-ASCII");
  Parser q("REFS UTF-8 ALL");
  auto refs = parse_thread_args(q);
  ASSERT_FALSE(refs);
  EXPECT_EQ(refs.error().message, "Error in IMAP command THREAD: Unknown thread algorithm");
  Parser r("REFERENCES UTF-8");
  EXPECT_FALSE(parse_thread_args(r));
}

// Five messages whose sort keys differ in every criterion: a reply, a long one, a
// [fwd: ] blob with a -0500 date, one without From/Date/To, an encoded From and a group.
class ImapSortCommand : public ::testing::Test {
 protected:
  // A message with the internal date Dovecot's copy had (the file's mtime): one minute
  // apart, so that ARRIVAL has no ties.
  void deliver(const std::string& text) {
    auto box = t.user().open_mailbox("INBOX");
    ASSERT_TRUE(box) << box.error().message;
    ASSERT_TRUE((*box)->append(text, {}, 1700000000 + 60 * delivered_++));
  }
  void SetUp() override {
    deliver(
        "From: Zed <zed@example.test>\nTo: bob@b.test\nCc: carol@c.test\nSubject: Re: beta\n"
        "Date: Mon, 02 Jan 2023 10:00:00 +0000\n\nmedium body here\n");
    std::string two =
        "From: \"Alice\" <alice@example.test>\nTo: \"Xavier\" <adam@a.test>\nSubject: alpha\n"
        "Date: Wed, 04 Jan 2023 09:00:00 +0000\n\n";
    for (int i = 0; i < 8; ++i) two += "a long body line\n";
    deliver(two);
    deliver(
        "From: bob@example.test\nTo: zoe@z.test\nCc: \"Aaron\" <aaron@a.test>\n"
        "Subject: [fwd: gamma]\nDate: Mon, 02 Jan 2023 08:00:00 -0500\n\nx\n");
    deliver("Subject: Beta\n\nno from, no date\n");
    deliver(
        "From: =?utf-8?q?=C3=89mile?= <emile@example.test>\nTo: Group: ann@g.test;\n"
        "Subject: Fwd: alpha (fwd)\nDate: Sun, 01 Jan 2023 12:00:00 +0000\n\nshort\n");
    t.connect_and_login();
    ASSERT_EQ(t.run("C: s0 SELECT INBOX\nS~ s0 OK [READ-WRITE] {*}\n"), "");
  }
  Transcript t;
  int delivered_ = 0;
};

TEST_F(ImapSortCommand, EveryKey) {
  // RFC 5256 §3: CC/FROM/TO compare the first address's mailbox, empty first; DATE is the
  // Date: header in UTC, else the internal date; SUBJECT the base subject (§2.1);
  // DISPLAYFROM/DISPLAYTO (RFC 5957 §2) the display name, else the address. All compare
  // with i;ascii-casemap, IMAP-SORT's base collation (RFC 5051 §1): "Émile" sorts after
  // "Zed" here; Dovecot, which offers I18NLEVEL=1 (RFC 5255), answers 4 2 3 5 1 with
  // i;unicode-casemap.
  EXPECT_EQ(t.run(R"(C: a1 SORT (ARRIVAL) UTF-8 ALL
S: * SORT 1 2 3 4 5
S: a1 OK Sort completed.
C: a2 SORT (CC) UTF-8 ALL
S: * SORT 2 4 5 3 1
S: a2 OK Sort completed.
C: a3 SORT (DATE) UTF-8 ALL
S: * SORT 5 1 3 2 4
S: a3 OK Sort completed.
C: a4 SORT (FROM) UTF-8 ALL
S: * SORT 4 2 3 5 1
S: a4 OK Sort completed.
C: a5 SORT (SIZE) UTF-8 ALL
S: * SORT 4 3 1 5 2
S: a5 OK Sort completed.
C: a6 SORT (SUBJECT) UTF-8 ALL
S: * SORT 2 5 1 4 3
S: a6 OK Sort completed.
C: a7 SORT (TO) UTF-8 ALL
S: * SORT 4 2 1 5 3
S: a7 OK Sort completed.
C: a8 SORT (DISPLAYFROM) UTF-8 ALL
S: * SORT 4 2 3 1 5
S: a8 OK Sort completed.
C: a9 SORT (DISPLAYTO) UTF-8 ALL
S: * SORT 4 1 5 2 3
S: a9 OK Sort completed.
)"),
            "");
}

TEST_F(ImapSortCommand, ReverseSeveralKeysAndUid) {
  EXPECT_EQ(t.run(R"(C: b1 SORT (REVERSE SUBJECT DATE) UTF-8 ALL
S: * SORT 3 1 4 5 2
S: b1 OK Sort completed.
C: b2 UID SORT (REVERSE SIZE) UTF-8 ALL
S: * SORT 2 5 1 3 4
S: b2 OK Sort completed.
C: b3 SORT (SUBJECT REVERSE DATE) UTF-8 2:5
S: * SORT 2 5 4 3
S: b3 OK Sort completed.
C: b4 sort (date) us-ascii subject nothing
S: * SORT
S: b4 OK Sort completed.
)"),
            "");
}

TEST_F(ImapSortCommand, AsciiCasemapAndModseq) {
  // i;ascii-casemap upper-cases a-z and compares octets, so "_" (0x5F) sorts after every
  // letter, where a lower-casing fold would put it first. A MODSEQ criterion adds the
  // highest MODSEQ of what is returned (RFC 7162 §3.1.5, RFC 4731 §3.2 for MIN/MAX).
  deliver("Subject: _under\n\nx\n");
  ASSERT_EQ(t.run(R"(C: d1 NOOP
S~ d1 OK {*}
C: d2 SORT (SUBJECT) UTF-8 ALL
S: * SORT 2 5 1 4 3 6
S: d2 OK Sort completed.
C: d3 STORE 2 +FLAGS.SILENT (\Seen)
S: d3 OK Store completed.
)"),
            "");
  auto box = t.user().open_mailbox("INBOX");
  ASSERT_TRUE(box && (*box)->sync());
  uint64_t highest = (*box)->find(2)->modseq, last = (*box)->find(6)->modseq;
  ASSERT_GT(highest, last);
  EXPECT_EQ(t.run("C: d4 SORT (SUBJECT) UTF-8 MODSEQ 1\n"
                  "S: * SORT 2 5 1 4 3 6 (MODSEQ " +
                  std::to_string(highest) +
                  ")\n"
                  "S: d4 OK Sort completed.\n"
                  "C: d5 SORT RETURN (MAX) (SUBJECT) UTF-8 MODSEQ 1\n"
                  "S: * ESEARCH (TAG \"d5\") MAX 6 MODSEQ " +
                  std::to_string(last) +
                  "\n"
                  "S: d5 OK Sort completed.\n"),
            "");
}

TEST_F(ImapSortCommand, ReturnOptions) {
  // RFC 5267 §3.2: MIN and MAX are the first and last in sort order, ALL keeps the order.
  // Only ascending runs become ranges: Dovecot writes a descending run as "5:1", which a
  // sequence-set reader may take for 1:5 (RFC 9051 §9: "5:1" and "1:5" are the same set).
  EXPECT_EQ(t.run(R"(C: b4 SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL
S: * ESEARCH (TAG "b4") MIN 5 MAX 4 ALL 5,1,3,2,4 COUNT 5
S: b4 OK Sort completed.
C: b5 SORT RETURN () (SUBJECT) UTF-8 ALL
S: * ESEARCH (TAG "b5") ALL 2,5,1,4,3
S: b5 OK Sort completed.
C: b6 SORT RETURN (COUNT) (DATE) UTF-8 SUBJECT zzz
S: * ESEARCH (TAG "b6") COUNT 0
S: b6 OK Sort completed.
C: b7 UID SORT RETURN (ALL) (REVERSE ARRIVAL) US-ASCII ALL
S: * ESEARCH (TAG "b7") UID ALL 5,4,3,2,1
S: b7 OK Sort completed.
C: b8 SORT RETURN (PARTIAL 1:2) (DATE) UTF-8 ALL
S: * ESEARCH (TAG "b8") PARTIAL (1:2 5,1)
S: b8 OK Sort completed.
)"),
            "");
}

TEST_F(ImapSortCommand, ErrorsAndCharset) {
  // RFC 5256 §3: an unknown charset is NO [BADCHARSET], but only once the syntax is known
  // good (Dovecot answers "SORT (DATE) X-FOO (" with BAD).
  EXPECT_EQ(t.run(R"(C: c1 SORT (DATE) X-FOO ALL
S: c1 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.
C: c2 SORT (DATE) X-FOO (
S: c2 BAD Error in IMAP command SORT: {*}
C: c3 SORT (FOO) UTF-8 ALL
S: c3 BAD Error in IMAP command SORT: Unknown sort argument: FOO
C: c4 SORT (DATE REVERSE) UTF-8 ALL
S: c4 BAD Error in IMAP command SORT: Sort list ends with REVERSE
C: c5 UNSELECT
S: c5 OK Unselect completed.
C: c6 SORT (DATE) UTF-8 ALL
S: c6 BAD Error in IMAP command SORT: No mailbox selected.
)"),
            "");
}

TEST_F(ImapSortCommand, ContextSortUpdates) {
  // RFC 5267 §4.3: after SORT RETURN (UPDATE), a new message matching the search is
  // announced with ADDTO at its position in the sort order, after EXISTS; an expunged one
  // with REMOVEFROM before its EXPUNGE, numbered as the client still numbers it (this
  // session's own EXPUNGE used to send REMOVEFROM after, with the number 0).
  EXPECT_EQ(t.run(R"(C: d1 SORT RETURN (UPDATE COUNT) (DATE) UTF-8 SUBJECT alpha
S: * ESEARCH (TAG "d1") COUNT 2
S: d1 OK Sort completed.
)"),
            "");
  t.deliver("Subject: Re: alpha\nDate: Tue, 03 Jan 2023 00:00:00 +0000\n\nnew\n");
  t.deliver("Subject: unrelated\n\nnot in the result\n");
  EXPECT_EQ(t.run(R"(C: d2 NOOP
S: * 7 EXISTS
S: * 7 RECENT
S: * ESEARCH (TAG "d1") ADDTO (2 6)
S: d2 OK NOOP completed.
C: d3 STORE 5 +FLAGS.SILENT (\Deleted)
S: d3 OK Store completed.
C: d4 EXPUNGE
S: * ESEARCH (TAG "d1") REMOVEFROM (1 5)
S: * 5 EXPUNGE
S: d4 OK [HIGHESTMODSEQ {*}] Expunge completed.
C: d5 CANCELUPDATE "d1"
S: d5 OK {*}
C: d6 SORT RETURN (UPDATE) (DATE) UTF-8 ALL
S: * ESEARCH (TAG "d6")
S: d6 OK Sort completed.
C: d6 SORT RETURN (UPDATE) (DATE) UTF-8 ALL
S: d6 BAD Error in IMAP command SORT: The tag already names an UPDATE search.
)"),
            "");
}

TEST_F(ImapSortCommand, MoveAnnouncesRemovalBeforeExpunge) {
  ASSERT_TRUE(t.user().create_folder("Work"));
  // RFC 6851 §4.3 with RFC 5267 §4.3: the moved message leaves the context first.
  EXPECT_EQ(t.run(R"(C: e1 SORT RETURN (UPDATE) (REVERSE SIZE) UTF-8 ALL
S: * ESEARCH (TAG "e1")
S: e1 OK Sort completed.
C: e2 MOVE 2 Work
S: * OK [COPYUID {*}] Moved UIDs.
S: * ESEARCH (TAG "e1") REMOVEFROM (1 2)
S: * 2 EXPUNGE
S: e2 OK Move completed.
)"),
            "");
}

}  // namespace
}  // namespace correio::imapd
