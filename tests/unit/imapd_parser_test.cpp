// The IMAP command syntax pieces: literal announcements, the parser, list patterns, and
// response quoting.
#include <gtest/gtest.h>

#include "imapd/command_reader.hpp"
#include "imapd/list_pattern.hpp"
#include "imapd/parser.hpp"
#include "imapd/response.hpp"
#include "imapd/search_program.hpp"
#include "imapd/selected_view.hpp"
#include "scoped_time_zone.hpp"

namespace correio::imapd {
namespace {

TEST(ImapLiteral, Announcements) {
  LiteralAnnouncement a;
  EXPECT_TRUE(parse_literal_announcement("a LOGIN {5}\r\n", a));
  EXPECT_EQ(a.size, 5u);
  EXPECT_FALSE(a.non_synchronising);
  EXPECT_TRUE(parse_literal_announcement("a APPEND x {123+}\r\n", a));
  EXPECT_EQ(a.size, 123u);
  EXPECT_TRUE(a.non_synchronising);
  EXPECT_TRUE(parse_literal_announcement("a APPEND x ~{7}\n", a));
  EXPECT_EQ(a.size, 7u);
  EXPECT_FALSE(parse_literal_announcement("a NOOP\r\n", a));
  EXPECT_FALSE(parse_literal_announcement("a X {}\r\n", a));
  EXPECT_FALSE(parse_literal_announcement("a X {abc}\r\n", a));
  EXPECT_FALSE(parse_literal_announcement("a X {99999999999999999999999}\r\n", a));
}

TEST(ImapParser, TagsAtomsAndStrings) {
  Parser p("a1 LOGIN \"us\\\"er\" {4}\r\npass\r\n");
  EXPECT_EQ(*p.tag(), "a1");
  EXPECT_TRUE(p.space());
  EXPECT_EQ(*p.atom(), "LOGIN");
  EXPECT_TRUE(p.space());
  EXPECT_EQ(*p.astring(), "us\"er");
  EXPECT_TRUE(p.space());
  EXPECT_EQ(*p.astring(), "pass");
  EXPECT_TRUE(p.at_end());
}

TEST(ImapParser, BadQuotedStringsFail) {
  Parser unterminated("\"abc\r\n");
  EXPECT_FALSE(unterminated.astring());
  EXPECT_FALSE(unterminated.error().empty());
  Parser bad_escape("\"a\\bc\"");
  EXPECT_FALSE(bad_escape.astring());
  Parser short_literal("{10}\r\nabc");
  EXPECT_FALSE(short_literal.string());
}

TEST(ImapParser, MailboxNormalisesOnlyInbox) {
  Parser p("inbox");
  EXPECT_EQ(*p.mailbox(), "INBOX");
  Parser q("Inbox.Sub");
  EXPECT_EQ(*q.mailbox(), "Inbox.Sub");
}

TEST(ImapParser, SequenceSets) {
  Parser p("1:3,7,*,9:5");
  auto set = p.sequence_set();
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->contains(2, 100));
  EXPECT_TRUE(set->contains(7, 100));
  EXPECT_TRUE(set->contains(100, 100));
  EXPECT_TRUE(set->contains(6, 100));
  EXPECT_FALSE(set->contains(4, 100));
  Parser saved("$");
  EXPECT_TRUE(saved.sequence_set()->saved_result);
  Parser zero("0:3");
  EXPECT_FALSE(zero.sequence_set());
  Parser junk("a");
  EXPECT_FALSE(junk.sequence_set());
}

TEST(ImapParser, LargestNumberIsNotStar) {
  // RFC 9051 §9: 4294967295 is a number; only "*" means the largest in use.
  Parser p("900:4294967295");
  auto set = p.sequence_set();
  ASSERT_TRUE(set);
  EXPECT_FALSE(set->contains(3, 3));
  EXPECT_TRUE(set->contains(1000, 3));
  Parser star("900:*");
  auto with_star = star.sequence_set();
  ASSERT_TRUE(with_star);
  EXPECT_TRUE(with_star->contains(3, 3));
  EXPECT_FALSE(with_star->contains(2, 3));
}

TEST(ImapParser, FlagLists) {
  Parser p("(\\Seen $Forwarded Junk)");
  auto flags = p.flag_list();
  ASSERT_TRUE(flags);
  EXPECT_EQ(*flags, (std::vector<std::string>{"\\Seen", "$Forwarded", "Junk"}));
  Parser bare("\\Deleted");
  EXPECT_EQ(bare.flag_list(true)->front(), "\\Deleted");
  Parser unclosed("(\\Seen");
  EXPECT_FALSE(unclosed.flag_list());
}

TEST(ImapParser, DatesAndDateTimes) {
  Parser d("1-Feb-1994");
  EXPECT_EQ(*d.date(), 760060800);
  Parser q("\"01-feb-1994\"");
  EXPECT_EQ(*q.date(), 760060800);
  Parser dt("\"17-Jul-1996 02:44:25 -0700\"");
  EXPECT_EQ(*dt.date_time(), 837596665);
  Parser spaced("\" 7-Jul-1996 02:44:25 +0000\"");
  EXPECT_TRUE(spaced.date_time());
  Parser bad("\"32-Jul-1996 02:44:25 -0700\"");
  EXPECT_FALSE(bad.date_time());
  Parser bad_month("1-Foo-1994");
  EXPECT_FALSE(bad_month.date());
}

TEST(ImapListPattern, PercentStopsAtSeparator) {
  EXPECT_TRUE(list_pattern_matches("*", "Archive.2024", '.'));
  EXPECT_TRUE(list_pattern_matches("%", "Archive", '.'));
  EXPECT_FALSE(list_pattern_matches("%", "Archive.2024", '.'));
  EXPECT_TRUE(list_pattern_matches("Archive.%", "Archive.2024", '.'));
  EXPECT_TRUE(list_pattern_matches("inbox", "INBOX", '.'));
  EXPECT_TRUE(list_pattern_matches("A*4", "Archive.2024", '.'));
  EXPECT_FALSE(list_pattern_matches("Sent", "Sent.Old", '.'));
  // Many wildcards stay linear (no exponential backtracking).
  std::string many(200, '*');
  EXPECT_FALSE(list_pattern_matches(many + "x", std::string(250, 'a'), '.'));
}

TEST(ImapResponse, StringsQuotedOrLiteral) {
  std::string out;
  append_string(out, "a \"b\" \\c");
  EXPECT_EQ(out, "\"a \\\"b\\\" \\\\c\"");
  out.clear();
  append_string(out, "line\r\nbreak");
  EXPECT_EQ(out, "{11}\r\nline\r\nbreak");
  out.clear();
  append_astring(out, "Sent");
  EXPECT_EQ(out, "Sent");
  out.clear();
  append_astring(out, "My Folder");
  EXPECT_EQ(out, "\"My Folder\"");
  out.clear();
  append_astring(out, "NIL");
  EXPECT_EQ(out, "\"NIL\"");
  {
    correio::testing::ScopedTimeZone utc("UTC0");
    EXPECT_EQ(format_internal_date(837596665), "\"17-Jul-1996 09:44:25 +0000\"");
  }
  // The server's zone and its offset, as Dovecot writes INTERNALDATE.
  correio::testing::ScopedTimeZone eastern("EST5EDT");
  EXPECT_EQ(format_internal_date(837596665), "\"17-Jul-1996 05:44:25 -0400\"");
  EXPECT_EQ(format_internal_date(851990400), "\"30-Dec-1996 19:00:00 -0500\"");
}

TEST(ImapResponse, NumberSets) {
  EXPECT_EQ(format_number_set({1, 2, 3, 5, 7, 8}), "1:3,5,7:8");
  EXPECT_EQ(format_number_set({}), "");
  EXPECT_EQ(format_number_set({4}), "4");
}

TEST(ImapSearch, ParsesNestedPrograms) {
  Parser p("OR (FROM alice SUBJECT \"hello world\") NOT SEEN UID 1:* LARGER 100\r\n");
  auto program = parse_search_program(p);
  ASSERT_TRUE(program) << p.error();
  EXPECT_EQ(program->children.size(), 3u);
  EXPECT_EQ(program->children[0].kind, SearchKey::Kind::or_);
  EXPECT_TRUE(search_needs_content(*program));
  Parser unknown("FOO bar\r\n");
  EXPECT_FALSE(parse_search_program(unknown));
  EXPECT_NE(unknown.error().find("FOO"), std::string::npos);
  Parser missing("FROM\r\n");
  EXPECT_FALSE(parse_search_program(missing));
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "NOT ";
  deep += "ALL\r\n";
  Parser too_deep(deep);
  EXPECT_FALSE(parse_search_program(too_deep));
}

TEST(ImapSearch, FlagKeysMatch) {
  Parser p("UNSEEN FLAGGED\r\n");
  auto program = parse_search_program(p);
  ASSERT_TRUE(program);
  mailbox::MessageInfo m;
  m.flags.system = mailbox::kFlagged;
  SearchSubject s;
  s.message = &m;
  s.raw = [] { return static_cast<const std::string*>(nullptr); };
  EXPECT_TRUE(search_matches(*program, s));
  m.flags.system |= mailbox::kSeen;
  EXPECT_FALSE(search_matches(*program, s));
}

}  // namespace
}  // namespace correio::imapd
