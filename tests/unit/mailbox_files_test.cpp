// The Dovecot file formats: dovecot-uidlist, dovecot-keywords, subscriptions and the flag
// letters of Maildir file names, checked against files Dovecot 2.3 wrote.
#include <gtest/gtest.h>

#include "mailbox/flags.hpp"
#include "mailbox/keywords_file.hpp"
#include "mailbox/subscriptions_file.hpp"
#include "mailbox/uidlist.hpp"

using namespace correio::mailbox;

TEST(MailboxUidlist, ParsesDovecotFileWithStaleNextUid) {
  // Written by Dovecot 2.3.19 after one APPEND: the record was appended, N not updated.
  std::string text =
      "3 V1795516700 N1 Gb07122111c69056b0448000083ecc375\n"
      "1 :1795516700.M287470P18436.vm,S=3,W=4\n";
  auto list = parse_uidlist(text);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->uid_validity, 1795516700u);
  EXPECT_EQ(list->next_uid, 2u);
  EXPECT_EQ(list->guid, "b07122111c69056b0448000083ecc375");
  ASSERT_EQ(list->records.size(), 1u);
  EXPECT_EQ(list->records[0].uid, 1u);
  EXPECT_EQ(list->records[0].basename, "1795516700.M287470P18436.vm,S=3,W=4");
}

TEST(MailboxUidlist, RoundTripKeepsExtensionFields) {
  std::string text =
      "3 V42 N10 G0123456789abcdef0123456789abcdef X7\n"
      "3 W1234 S1200 :a.M1P2.host\n"
      "7 :b.M1P2.host,S=5,W=6\n";
  auto list = parse_uidlist(text);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->records[0].ext, "W1234 S1200");
  EXPECT_EQ(list->header_ext, "X7");
  EXPECT_EQ(format_uidlist(*list), text);
}

TEST(MailboxUidlist, VersionOneAndTornLastLine) {
  auto v1 = parse_uidlist("1 99 5\n3 c.M1P1.h:2,S\n");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v1->uid_validity, 99u);
  EXPECT_EQ(v1->records[0].basename, "c.M1P1.h");
  auto torn = parse_uidlist("3 V1 N1 Gx\n1 :a\n2 :b");
  ASSERT_TRUE(torn);
  EXPECT_EQ(torn->records.size(), 1u);
  EXPECT_EQ(torn->parsed_bytes, std::string("3 V1 N1 Gx\n1 :a\n").size());
}

TEST(MailboxUidlist, RejectsBrokenFiles) {
  EXPECT_FALSE(parse_uidlist(""));
  EXPECT_FALSE(parse_uidlist("3 N1\n"));
  EXPECT_FALSE(parse_uidlist("3 V1 N1\n2 :a\n2 :b\n"));  // UIDs must ascend
  EXPECT_FALSE(parse_uidlist("3 V1 N1\nx :a\n"));
  EXPECT_FALSE(parse_uidlist("3 V1 N1\n1 S3\n"));  // no file name
}

TEST(MailboxKeywords, DovecotFileAndFilenameLetters) {
  auto table = parse_keywords_file("0 $Forwarded\n1 foo\n2 bar\nbroken\n30 toolarge\n");
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table[0], "$Forwarded");
  EXPECT_EQ(table[2], "bar");
  EXPECT_EQ(format_keywords_file(table), "0 $Forwarded\n1 foo\n2 bar\n");

  // Dovecot named the file "...:2,FSabc" for \Flagged \Seen $Forwarded foo bar.
  FilenameFlags ff = parse_filename_flags("1795516700.M287470P18436.vm,S=3,W=4:2,FSabc");
  EXPECT_EQ(ff.system, kFlagged | kSeen);
  EXPECT_EQ(ff.keywords, 0b111u);
  EXPECT_EQ(format_filename_info(ff), ":2,FSabc");

  FilenameFlags all;
  all.system = kSeen | kAnswered | kFlagged | kDeleted | kDraft;
  all.keywords = 1u << 25 | 1u;
  all.other = "P";
  EXPECT_EQ(format_filename_info(all), ":2,DFPRSTaz");
  EXPECT_EQ(parse_filename_flags("x:2,DFPRSTaz").other, "P");
  EXPECT_EQ(parse_filename_flags("no-info").system, 0);
}

TEST(MailboxSubscriptions, DovecotVersionTwoFormat) {
  // Written by Dovecot 2.3.19: SUBSCRIBE Archive.2024, SUBSCRIBE INBOX.
  std::string text = "V\t2\n\nArchive\t2024\nINBOX\n";
  auto names = parse_subscriptions(text);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "Archive.2024");
  EXPECT_EQ(names[1], "INBOX");
  EXPECT_EQ(format_subscriptions(names), text);

  // Levels containing the escape characters, and the old header-less format.
  std::vector<std::string> odd = {"a\tb.c\001"};
  EXPECT_EQ(format_subscriptions(odd), "V\t2\n\na\001tb\tc\0011\n");
  EXPECT_EQ(parse_subscriptions(format_subscriptions(odd)), odd);
  EXPECT_EQ(parse_subscriptions("Sent\nArchive.2024\n")[1], "Archive.2024");
}

TEST(MailboxFlags, NamesAndKeywords) {
  EXPECT_EQ(system_flag_from_name("\\seen"), kSeen);
  EXPECT_EQ(system_flag_from_name("\\Recent"), 0);
  EXPECT_EQ(system_flag_name(kDraft), "\\Draft");
  EXPECT_TRUE(valid_keyword("$Forwarded"));
  EXPECT_FALSE(valid_keyword("a b"));
  EXPECT_FALSE(valid_keyword("\\Seen"));
  Flags a{kSeen, {"Foo", "bar"}}, b{kSeen, {"BAR", "foo"}};
  EXPECT_TRUE(a.same_as(b));
}
