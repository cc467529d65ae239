// RFC 5321 path and parameter parsing, mailbox syntax, xtext.
#include <gtest/gtest.h>

#include "smtp/address.hpp"
#include "smtp/reply.hpp"

namespace correio::smtp {
namespace {

TEST(PathCommand, ParsesAddressAndParameters) {
  auto p = parse_path_command("FROM:<a@b.example> SIZE=100 body=8BITMIME", "FROM");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->address, "a@b.example");
  ASSERT_EQ(p->parameters.size(), 2u);
  EXPECT_EQ(p->parameters[0].first, "SIZE");
  EXPECT_EQ(p->parameters[0].second, "100");
  EXPECT_EQ(p->parameters[1].first, "BODY");
}

TEST(PathCommand, NullSenderAndSpaceAfterColon) {
  auto p = parse_path_command("from: <>", "FROM");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->address, "");
}

TEST(PathCommand, QuotedLocalPartWithBracket) {
  auto p = parse_path_command("TO:<\"a>b\"@x.example>", "TO");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->address, "\"a>b\"@x.example");
  EXPECT_TRUE(valid_mailbox(p->address, false));
}

TEST(PathCommand, SourceRouteIgnored) {
  auto p = parse_path_command("TO:<@relay.example:user@x.example>", "TO");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->address, "user@x.example");
}

TEST(PathCommand, Errors) {
  EXPECT_FALSE(parse_path_command("TO:<a@b", "TO").ok());
  EXPECT_FALSE(parse_path_command("FROM <a@b>", "FROM").ok());
  EXPECT_FALSE(parse_path_command("TO:<a@b>junk", "TO").ok());
  EXPECT_FALSE(parse_path_command("TO:", "TO").ok());
}

TEST(Mailbox, Syntax) {
  EXPECT_TRUE(valid_mailbox("user.name+tag@example.org", false));
  EXPECT_TRUE(valid_mailbox("u@[127.0.0.1]", false));
  EXPECT_FALSE(valid_mailbox("user@", false));
  EXPECT_FALSE(valid_mailbox("@example.org", false));
  EXPECT_FALSE(valid_mailbox("a..b@example.org", false));
  EXPECT_FALSE(valid_mailbox("a b@example.org", false));
  EXPECT_FALSE(valid_mailbox("a@-bad.example", false));
  EXPECT_FALSE(valid_mailbox("\xc3\xa7@example.org", false));
  EXPECT_TRUE(valid_mailbox("\xc3\xa7@ex\xc3\xa1mple.org", true));
}

TEST(Mailbox, Parts) {
  EXPECT_EQ(domain_of("User@Example.ORG"), "example.org");
  EXPECT_EQ(local_part_of("User@Example.ORG"), "User");
}

TEST(Xtext, Decode) {
  EXPECT_EQ(decode_xtext("rfc822;a+2Bb@x").value(), "rfc822;a+b@x");
  EXPECT_FALSE(decode_xtext("a+2").has_value());
  EXPECT_FALSE(decode_xtext("a+zz").has_value());
  EXPECT_FALSE(decode_xtext("a=b").has_value());
}

TEST(Reply, MultiLineWithEnhancedCodes) {
  Reply r;
  r.code = 250;
  r.enhanced = "2.0.0";
  r.lines = {"first", "last"};
  EXPECT_EQ(r.to_wire(), "250-2.0.0 first\r\n250 2.0.0 last\r\n");
  EXPECT_EQ(Reply(354, "", "go").to_wire(), "354 go\r\n");
}

TEST(Utf8Address, MalformedBeforeUndeclared) {
  using P = Utf8AddressProblem;
  EXPECT_EQ(utf8_address_problem("plain@example.org", false), P::none);
  EXPECT_EQ(utf8_address_problem("j\xc3\xb6rg@example.org", true), P::none);
  EXPECT_EQ(utf8_address_problem("j\xc3\xb6rg@example.org", false), P::undeclared);
  EXPECT_EQ(utf8_address_problem("j\xf6rg@example.org", true), P::malformed);
  EXPECT_EQ(utf8_address_problem("j\xf6rg@example.org", false), P::malformed);
  // RFC 3629: overlong, surrogate, beyond U+10FFFF, truncated.
  for (const char* bad : {"\xc0\xaf@x", "\xed\xa0\x80@x", "\xf4\x90\x80\x80@x", "a@x\xe2\x82"})
    EXPECT_EQ(utf8_address_problem(bad, true), P::malformed) << bad;
  EXPECT_EQ(utf8_address_problem("\xf0\x9f\x93\xa7@x", true), P::none);
}

}  // namespace
}  // namespace correio::smtp
