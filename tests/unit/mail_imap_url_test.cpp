// IMAP URLs for CATENATE (RFC 5092 imessagepart, RFC 4469) and the UTF-8 to modified
// UTF-7 mailbox-name conversion (RFC 3501 §5.1.3).
#include <gtest/gtest.h>

#include "mail/imap_url.hpp"

namespace correio::mail {
namespace {

TEST(ImapUrl, RelativeWithEveryPiece) {
  auto url =
      parse_imap_url("/Drafts;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2/;PARTIAL=5.10", "u");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->mailbox, "Drafts");
  EXPECT_EQ(url->uid_validity, 385759045u);
  EXPECT_EQ(url->uid, 20u);
  EXPECT_EQ(url->section, "1.2");
  EXPECT_EQ(url->partial_offset, 5u);
  EXPECT_EQ(url->partial_length, 10u);
}

TEST(ImapUrl, AbsoluteForTheLoggedInUserOnly) {
  auto url = parse_imap_url("imap://jane@mail.example.test/inbox/;uid=3", "jane");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->mailbox, "INBOX");
  EXPECT_EQ(url->uid, 3u);
  EXPECT_FALSE(url->uid_validity);
  EXPECT_TRUE(parse_imap_url("imap://mail.example.test/INBOX/;UID=3", "jane"));
  EXPECT_TRUE(parse_imap_url("imap://jane;AUTH=*@host/INBOX/;UID=3", "jane"));
  EXPECT_FALSE(parse_imap_url("imap://joe@mail.example.test/INBOX/;UID=3", "jane"));
}

TEST(ImapUrl, PercentEncodingAndHierarchy) {
  auto url = parse_imap_url("/Lists/work%20stuff/;UID=7/;SECTION=HEADER.FIELDS%20(FROM)", "u");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->mailbox, "Lists/work stuff");
  EXPECT_EQ(url->section, "HEADER.FIELDS (FROM)");
  auto utf8 = parse_imap_url("/Entw%C3%BCrfe/;UID=1", "u");  // "Entwürfe"
  ASSERT_TRUE(utf8);
  EXPECT_EQ(utf8->mailbox, "Entw&APw-rfe");
}

TEST(ImapUrl, Refused) {
  for (const char* bad :
       {"", "INBOX/;UID=1", "/INBOX", "/INBOX/;UID=0", "/INBOX/;UID=x", "/;UID=1",
        "/INBOX;UIDVALIDITY=0/;UID=1", "/INBOX/;UID=1/;URLAUTH=anonymous:internal:x",
        "/INBOX/;UID=1/;SECTION=", "/INBOX/;UID=1/;PARTIAL=1.0", "/INBOX/;UID=1/junk",
        "/IN%2/;UID=1", "/IN%00X/;UID=1", "/INBOX/;SECTION=1/;UID=1", "imap://host",
        "/INBOX/;UID=1/;UID=2", "/INBOX/;UID=99999999999"}) {
    EXPECT_FALSE(parse_imap_url(bad, "u")) << bad;
  }
}

TEST(ModifiedUtf7, EncodesAsRfc3501) {
  EXPECT_EQ(utf8_to_modified_utf7("INBOX"), "INBOX");
  EXPECT_EQ(utf8_to_modified_utf7("A&B"), "A&-B");
  // RFC 3501 §5.1.3's example: "~peter/mail/台北/日本語"
  EXPECT_EQ(utf8_to_modified_utf7(
                "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(utf8_to_modified_utf7("\xf0\x9f\x98\x80"), "&2D3eAA-");  // U+1F600, a surrogate pair
  EXPECT_FALSE(utf8_to_modified_utf7("\xc3"));
  EXPECT_FALSE(utf8_to_modified_utf7("\xc0\xaf"));  // overlong "/"
}

}  // namespace
}  // namespace correio::mail
