// The HELO argument's neutering (Postfix's printable() + neuter()) and the command-line
// check for NUL and bare CR that the server loop applies before any handler.
#include <gtest/gtest.h>

#include <string>

#include "smtp/command.hpp"
#include "smtp/helo_name.hpp"

namespace correio::smtp {
namespace {

TEST(SmtpHeloName, PlainNamesAndAddressLiteralsAreKept) {
  EXPECT_EQ(neuter_helo_name("mail.example.com"), "mail.example.com");
  EXPECT_EQ(neuter_helo_name("[192.0.2.1]"), "[192.0.2.1]");
  EXPECT_EQ(neuter_helo_name("[IPv6:2001:db8::1]"), "[IPv6:2001:db8::1]");
}

TEST(SmtpHeloName, ForgedCommentIsNeutered) {
  EXPECT_EQ(neuter_helo_name("evil (trusted.example [10.0.0.1])"),
            "evil??trusted.example?[10.0.0.1]?");
  EXPECT_EQ(neuter_helo_name("a<b>\"c\\d;e@f"), "a?b??c?d?e?f");
}

TEST(SmtpHeloName, ControlAndEightBitBytesBecomeQuestionMarks) {
  EXPECT_EQ(neuter_helo_name(std::string("a\rX-Injected: yes", 17)), "a?X-Injected:?yes");
  EXPECT_EQ(neuter_helo_name(std::string("a\0b\tc\x7f", 6)), "a?b?c?");
  EXPECT_EQ(neuter_helo_name("h\xc3\xa9llo"), "h??llo");
}

TEST(SmtpCommandBytes, NulAndBareCrAreForbidden) {
  EXPECT_FALSE(has_forbidden_bytes("EHLO a\r\n"));
  EXPECT_FALSE(has_forbidden_bytes("EHLO a\n"));
  EXPECT_FALSE(has_forbidden_bytes("EHLO a"));
  EXPECT_TRUE(has_forbidden_bytes(std::string("EHLO a\0b\r\n", 10)));
  EXPECT_TRUE(has_forbidden_bytes("EHLO a\rX-Injected: yes\r\n"));
  EXPECT_TRUE(has_forbidden_bytes("EHLO a\r\r\n"));
}

}  // namespace
}  // namespace correio::smtp
