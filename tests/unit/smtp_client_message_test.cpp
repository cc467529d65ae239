// What the SMTP client puts on the wire (smtp/client_message.hpp): ESMTP parameters only
// when announced, DSN xtext, CRLF and dot-stuffing.
#include <gtest/gtest.h>

#include <string>

#include "smtp/client_message.hpp"

namespace correio::smtp {
namespace {

TEST(SmtpClientMessage, EhloFeatures) {
  auto f = parse_ehlo_features({"mx.example greets you", "PIPELINING", "SIZE 10240000", "8BITMIME",
                                "dsn", "STARTTLS", "SMTPUTF8", "AUTH PLAIN login"});
  EXPECT_TRUE(f.pipelining && f.eight_bit && f.dsn && f.starttls && f.smtputf8 && f.size);
  EXPECT_EQ(f.size_limit, 10240000u);
  EXPECT_EQ(f.auth, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_EQ(parse_ehlo_features({"x", "SIZE"}).size_limit, 0u);
}

TEST(SmtpClientMessage, ParametersOnlyWhenAnnounced) {
  MailOptions mail{123, true, true, "HDRS", "id+1"};
  RcptOptions rcpt{"SUCCESS,FAILURE", "rfc822;b=c@d"};
  ServerFeatures none;
  EXPECT_EQ(mail_command("a@b", mail, none), "MAIL FROM:<a@b>\r\n");
  EXPECT_EQ(rcpt_command("c@d", rcpt, none), "RCPT TO:<c@d>\r\n");
  ServerFeatures all;
  all.size = all.eight_bit = all.smtputf8 = all.dsn = true;
  EXPECT_EQ(mail_command("", mail, all),
            "MAIL FROM:<> SIZE=123 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1\r\n");
  EXPECT_EQ(rcpt_command("c@d", rcpt, all),
            "RCPT TO:<c@d> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+3Dc@d\r\n");
}

TEST(SmtpClientMessage, DataPayloadIsCrlfAndDotStuffed) {
  EXPECT_EQ(data_payload("a\n.b\n..c\r\nd"), "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
  EXPECT_EQ(data_payload(""), ".\r\n");
  EXPECT_EQ(data_payload(".\n"), "..\r\n.\r\n");
}

TEST(SmtpClientMessage, EightBit) {
  EXPECT_FALSE(has_8bit("plain ascii"));
  EXPECT_TRUE(has_8bit("caf\xc3\xa9"));
  // The word-at-a-time scan: one high byte at every position of a 20-byte text, inside a
  // word and in the tail after the last whole word.
  for (size_t at = 0; at < 20; ++at) {
    std::string text(20, 'a');
    EXPECT_FALSE(has_8bit(text));
    text[at] = '\x80';
    EXPECT_TRUE(has_8bit(text)) << at;
  }
}

TEST(SmtpClientMessage, PayloadOfShortLinesAndALargeMessage) {
  // Lines shorter than any fixed guess at the CR overhead, and a message far past one
  // allocation: the payload is exact either way.
  std::string shortlines, expected;
  for (int i = 0; i < 1000; ++i) {
    shortlines += i % 7 == 0 ? ".\n" : "x\n";
    expected += i % 7 == 0 ? "..\r\n" : "x\r\n";
  }
  EXPECT_EQ(data_payload(shortlines), expected + ".\r\n");
  std::string big(200000, 'y');
  EXPECT_EQ(data_payload(big), big + "\r\n.\r\n");
}

}  // namespace
}  // namespace correio::smtp
