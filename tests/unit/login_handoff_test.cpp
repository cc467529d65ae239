// The hand-off line of the pre-login split (login/handoff.hpp).
#include <gtest/gtest.h>

#include "login/handoff.hpp"

namespace correio::login {
namespace {

TEST(LoginHandoffTest, RoundTrips) {
  Handoff h;
  h.auth_id = 42;
  h.cookie = "00ff";
  h.user = "bob\t@example.test";
  h.remote_address = "192.0.2.1";
  h.remote_port = 50000;
  h.local_address = "::1";
  h.local_port = 993;
  h.tls = true;
  h.method = "SCRAM-SHA-256-PLUS";
  h.tag = "a1";
  h.pipelined = std::string("b SELECT INBOX\r\n\0\xff", 18);
  std::string line = format_handoff(h);
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = parse_handoff(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->auth_id, 42u);
  EXPECT_EQ(back->cookie, "00ff");
  EXPECT_EQ(back->user, h.user);
  EXPECT_EQ(back->remote_address, "192.0.2.1");
  EXPECT_EQ(back->remote_port, 50000);
  EXPECT_EQ(back->local_address, "::1");
  EXPECT_EQ(back->local_port, 993);
  EXPECT_TRUE(back->tls);
  EXPECT_EQ(back->method, h.method);
  EXPECT_EQ(back->tag, "a1");
  EXPECT_EQ(back->pipelined, h.pipelined);
}

TEST(LoginHandoffTest, RefusesWhatIsNotAHandoff) {
  EXPECT_FALSE(parse_handoff(""));
  EXPECT_FALSE(parse_handoff("HANDOFF"));
  EXPECT_FALSE(parse_handoff("HANDOFF\t2\tauth-id=1\tcookie=00"));  // a later version
  EXPECT_FALSE(parse_handoff("HANDOFF\t1\tcookie=00"));             // no auth id
  EXPECT_FALSE(parse_handoff("HANDOFF\t1\tauth-id=1"));             // no cookie
  EXPECT_FALSE(parse_handoff("HANDOFF\t1\tauth-id=x\tcookie=00"));
  EXPECT_FALSE(parse_handoff("HANDOFF\t1\tauth-id=1\tcookie=00\trport=70000"));
  EXPECT_FALSE(parse_handoff("HANDOFF\t1\tauth-id=1\tcookie=00\tdata=!!"));
  EXPECT_FALSE(parse_handoff("HANDOFF\t1\tauth-id=1\tcookie=00\tuser=\001x"));
  // Unknown fields are a later version's, and ignored.
  auto h = parse_handoff("HANDOFF\t1\tauth-id=1\tcookie=00\tnew-field=1\tbare");
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->tls);
}

}  // namespace
}  // namespace correio::login
