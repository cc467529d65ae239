// RFC 5256 base subject, sent date and THREAD (src/mail/threading.hpp, date.hpp). Expected
// thread lists were printed by Dovecot 2.3.19 for the same messages.
#include <gtest/gtest.h>

#include "mail/date.hpp"
#include "mail/threading.hpp"

namespace correio::mail {
namespace {

TEST(MailBaseSubject, StripsRfc5256LeadersAndTrailers) {
  EXPECT_EQ(base_subject("Re: hello"), "hello");
  EXPECT_EQ(base_subject("RE: Re: re[2]: hello"), "hello");
  EXPECT_EQ(base_subject("Fwd: Fw: hello (fwd)"), "hello");
  EXPECT_EQ(base_subject("[list] Re: hello"), "hello");
  EXPECT_EQ(base_subject("[list] hello"), "hello");
  EXPECT_EQ(base_subject("[list]"), "[list]");  // step 4: a blob alone is kept
  EXPECT_EQ(base_subject("[Fwd: Re: hello]"), "hello");
  EXPECT_EQ(base_subject("  hello \t  world  (fwd) (FWD) "), "hello world");
  EXPECT_EQ(base_subject("Re : spaces are allowed"), "spaces are allowed");
  EXPECT_EQ(base_subject("Reply: not a leader"), "Reply: not a leader");
  EXPECT_EQ(base_subject("=?utf-8?q?Re=3A_caf=C3=A9?="), "café");
  EXPECT_EQ(base_subject(""), "");
}

TEST(MailBaseSubject, ReportsReplyOrForward) {
  bool reply = false;
  EXPECT_EQ(base_subject("Re: x", reply), "x");
  EXPECT_TRUE(reply);
  EXPECT_EQ(base_subject("[list] x", reply), "x");
  EXPECT_FALSE(reply);
  EXPECT_EQ(base_subject("x (fwd)", reply), "x");
  EXPECT_TRUE(reply);
  EXPECT_EQ(base_subject("[fwd: x]", reply), "x");
  EXPECT_TRUE(reply);
}

TEST(MailDate, ParsesRfc5322AndObsoleteForms) {
  EXPECT_EQ(parse_rfc5322_date("Thu, 1 Jan 1970 00:00:00 +0000"), 0);
  EXPECT_EQ(parse_rfc5322_date("Tue, 1 Jul 2003 10:52:37 +0200"), 1057049557);
  EXPECT_EQ(parse_rfc5322_date("1 Jul 2003 10:52:37 +0200 (CEST)"), 1057049557);
  EXPECT_EQ(parse_rfc5322_date("Tue, 1 Jul 03 08:52:37 GMT"), 1057049557);
  EXPECT_EQ(parse_rfc5322_date("Tue, 1 Jul 2003 04:52:37 EDT"), 1057049557);
  EXPECT_EQ(parse_rfc5322_date("1 Jul 2003 08:52 UT"), 1057049520);
  EXPECT_EQ(parse_rfc5322_date("Mon, 31 Dec 1999 23:59:60 -0000"), 946684800);
  EXPECT_FALSE(parse_rfc5322_date("yesterday"));
  EXPECT_FALSE(parse_rfc5322_date(""));
  EXPECT_FALSE(parse_rfc5322_date("32 Jan 2020 00:00 +0000"));
  EXPECT_EQ(sent_date("garbage", 42), 42);
  EXPECT_EQ(sent_date("Thu, 1 Jan 1970 00:01:00 +0000", 42), 60);
}

TEST(MailDate, DayIsTheWritersOwnDay) {
  // 19723 is 2024-01-01. Late in New York is still 1 January; early in Tokyo is 2 January
  // although both are the other day in UTC.
  EXPECT_EQ(parse_rfc5322_day("Mon, 1 Jan 2024 23:30:00 -0500"), 19723);
  EXPECT_EQ(parse_rfc5322_day("Tue, 2 Jan 2024 06:00:00 +0900"), 19724);
  EXPECT_EQ(*parse_rfc5322_date("Tue, 2 Jan 2024 06:00:00 +0900") / 86400, 19723);
  EXPECT_FALSE(parse_rfc5322_day("soon"));
}

std::vector<ThreadMessage> sample_mailbox() {
  auto at = [](const char* d) { return *parse_rfc5322_date(d); };
  return {
      {1, "<1@x>", "", "", "hello", at("1 Jan 2024 10:00 +0000")},
      {2, "<2@x>", "<1@x>", "", "Re: hello", at("1 Jan 2024 11:00 +0000")},
      {3, "<3@x>", "", "", "other", at("1 Jan 2024 09:00 +0000")},
      {4, "<4@x>", "", "<1@x>", "Re: hello", at("1 Jan 2024 12:00 +0000")},
      {5, "<5@x>", "<1@x> <4@x>", "", "Re: Re: hello", at("1 Jan 2024 13:00 +0000")},
      {6, "<6@x>", "", "", "[list] Fwd: other", at("1 Jan 2024 14:00 +0000")},
      {7, "<7@x>", "<missing@x>", "", "lost parent", at("1 Jan 2024 08:00 +0000")},
      {8, "<8@x>", "<missing@x>", "", "Re: lost parent", at("1 Jan 2024 08:30 +0000")},
      {9, "<9@x>", "", "", "third", at("31 Dec 2023 08:30 +0000")},
      {10, "<10@x>", "", "", "third", at("1 Jan 2024 15:30 +0000")},
      {11, "<11@x>", "<a@x> <b@x> <c@x>", "", "Re: deep", at("1 Jan 2024 16:30 +0000")},
      {12, "<12@x>", "", "", "no date", 1900000000},
      {13, "", "", "", "(fwd) nothing", at("1 Jan 2024 16:40 +0000")},
  };
}

TEST(MailThread, ReferencesMatchesDovecot) {
  EXPECT_EQ(thread_references(sample_mailbox()), "((9)(10))((7)(8))(3 6)(1 (2)(4 5))(11)(13)(12)");
}

TEST(MailThread, OrderedSubjectMatchesDovecot) {
  EXPECT_EQ(thread_orderedsubject(sample_mailbox()), "(9 10)(7 8)(3 6)(1 (2)(4)(5))(11)(13)(12)");
}

TEST(MailThread, Rfc5256ResponseShapes) {
  // RFC 5256 §5 example shape "(2)(3 6 (4 23)(44 7 96))".
  std::vector<ThreadMessage> m = {
      {2, "<2>", "", "", "a", 1},      {3, "<3>", "", "", "b", 2},
      {6, "<6>", "<3>", "", "b", 3},   {4, "<4>", "<3> <6>", "", "b", 4},
      {23, "<23>", "<4>", "", "b", 5}, {44, "<44>", "<6>", "", "b", 6},
      {7, "<7>", "<44>", "", "b", 7},  {96, "<96>", "<7>", "", "b", 8},
  };
  EXPECT_EQ(thread_references(m), "(2)(3 6 (4 23)(44 7 96))");
}

// RFC 5256 §2.2 step 6B: a dummy in the subject table stays there even when a later
// non-reply has the same base subject (its first child is a reply); that message then
// joins the dummy's children, as Dovecot does, instead of adopting the dummy.
TEST(MailThread, SubjectTableKeepsADummy) {
  std::vector<ThreadMessage> m = {
      {1, "<1>", "<gone>", "", "Re: x", 1},
      {2, "<2>", "<gone>", "", "Re: x", 2},
      {3, "<3>", "", "", "x", 3},
  };
  EXPECT_EQ(thread_references(m), "((1)(2)(3))");
}

TEST(MailThread, SurvivesLoopsDuplicatesAndLongChains) {
  std::vector<ThreadMessage> m = {
      {1, "<a>", "<b>", "", "x", 1},
      {2, "<b>", "<a>", "", "x", 2},  // loop a <-> b: b stays a's parent
      {3, "<a>", "", "", "y", 3},     // duplicate Message-ID
      {4, "<c>", "<c>", "", "z", 4},  // references itself
  };
  EXPECT_EQ(thread_references(m), "(2 1)(3)(4)");
  std::vector<ThreadMessage> chain;
  for (std::uint32_t i = 1; i <= 20000; ++i)
    chain.push_back({i, "<" + std::to_string(i) + ">",
                     i > 1 ? "<" + std::to_string(i - 1) + ">" : "", "", "s", i});
  std::string out = thread_references(chain);
  EXPECT_EQ(out.substr(0, 6), "(1 2 3");
  EXPECT_EQ(out.back(), ')');
  EXPECT_EQ(thread_references({}), "");
}

}  // namespace
}  // namespace correio::mail
