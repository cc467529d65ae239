// POP3 command lines and arguments (RFC 1939 §3), and RETR/TOP formatting (§7).
#include <gtest/gtest.h>

#include "pop3d/command.hpp"
#include "pop3d/message_format.hpp"

namespace correio::pop3d {
namespace {

TEST(Pop3Command, SplitsKeywordAndArguments) {
  Command c = parse_command("top 1 10\r\n");
  EXPECT_EQ(c.verb, "TOP");
  EXPECT_EQ(c.args, (std::vector<std::string>{"1", "10"}));
  c = parse_command("PASS  two  spaces \r\n");
  EXPECT_EQ(c.verb, "PASS");
  EXPECT_EQ(c.args, (std::vector<std::string>{"two", "spaces"}));
  c = parse_command("\r\n");
  EXPECT_EQ(c.verb, "");
  EXPECT_TRUE(c.args.empty());
  c = parse_command("NOOP");
  EXPECT_EQ(c.verb, "NOOP");
}

TEST(Pop3Command, MessageNumbers) {
  EXPECT_EQ(parse_message_number("1"), 1u);
  EXPECT_EQ(parse_message_number("4294967295"), 4294967295u);
  EXPECT_FALSE(parse_message_number("0"));
  EXPECT_FALSE(parse_message_number("4294967296"));
  EXPECT_FALSE(parse_message_number("+1"));
  EXPECT_FALSE(parse_message_number("-1"));
  EXPECT_FALSE(parse_message_number("1x"));
  EXPECT_FALSE(parse_message_number(""));
  EXPECT_FALSE(parse_message_number("99999999999999999999"));
  EXPECT_EQ(parse_line_count("0"), 0u);
  EXPECT_FALSE(parse_line_count("ten"));
}

TEST(Pop3MessageFormat, CrlfAndDotStuffing) {
  EXPECT_EQ(format_message("A: b\n\n.x\nok\n", std::nullopt), "A: b\r\n\r\n..x\r\nok\r\n");
  // CRLF input stays CRLF; a last line without LF gets one.
  EXPECT_EQ(format_message("A: b\r\n\r\nend", std::nullopt), "A: b\r\n\r\nend\r\n");
  EXPECT_EQ(format_message("", std::nullopt), "");
  EXPECT_EQ(format_message(".\n", std::nullopt), "..\r\n");
}

TEST(Pop3MessageFormat, TopSendsHeaderBlankLineAndNLines) {
  std::string m = "A: 1\nB: 2\n\nl1\nl2\nl3\n";
  EXPECT_EQ(format_message(m, 0), "A: 1\r\nB: 2\r\n\r\n");
  EXPECT_EQ(format_message(m, 2), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n");
  EXPECT_EQ(format_message(m, 100), format_message(m, std::nullopt));
  EXPECT_EQ(format_message("A: 1\n", 0), "A: 1\r\n");  // no body at all
}

}  // namespace
}  // namespace correio::pop3d
