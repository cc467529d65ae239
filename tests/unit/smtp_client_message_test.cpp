// What the SMTP client puts on the wire (smtp/client_message.hpp): ESMTP parameters only
// when announced, DSN xtext, CRLF and dot-stuffing.
#include <gtest/gtest.h>

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
}

}  // namespace
}  // namespace correio::smtp
