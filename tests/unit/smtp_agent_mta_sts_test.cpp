// MTA-STS texts (RFC 8461 §3.1, §3.2, §4.1): the TXT record's id, the policy file's fields
// and their errors, and MX pattern matching with one-label wildcards. The HTTPS fetch and
// the agent's use of a policy: tests/integration/test_mail_out_mta_sts.py.
#include <gtest/gtest.h>

#include "delivery/smtp/mta_sts_policy.hpp"

namespace correio::delivery::smtp_agent {
namespace {

TEST(SmtpAgentMtaSts, Record) {
  EXPECT_EQ(*parse_sts_record("v=STSv1; id=20160831085700Z;"), "20160831085700Z");
  EXPECT_EQ(*parse_sts_record("v=STSv1;id=abc; ext=1"), "abc");
  EXPECT_FALSE(parse_sts_record("v=STSv2; id=abc"));
  EXPECT_FALSE(parse_sts_record("id=abc; v=STSv1"));
  EXPECT_FALSE(parse_sts_record("v=STSv1;"));
  EXPECT_FALSE(parse_sts_record("v=STSv1; id=a-b"));
  EXPECT_FALSE(parse_sts_record("v=STSv1; id=" + std::string(33, 'a')));
}

TEST(SmtpAgentMtaSts, Policy) {
  auto p = parse_sts_policy(
      "version: STSv1\r\nmode: enforce\r\nmx: Mail.Example.com\r\nmx: *.example.net\r\n"
      "max_age: 604800\r\nfuture: ignored\r\n");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->mode, StsMode::enforce);
  EXPECT_EQ(p->max_age, std::chrono::seconds(604800));
  EXPECT_EQ(p->mx, (std::vector<std::string>{"mail.example.com", "*.example.net"}));
  EXPECT_EQ(parse_sts_policy("version: STSv1\nmode: none\nmax_age: 0\n")->mode, StsMode::none);
  EXPECT_EQ(parse_sts_policy("version: STSv1\nmode: testing\nmx: a\nmax_age: 1")->mode,
            StsMode::testing);
}

TEST(SmtpAgentMtaSts, PolicyErrors) {
  auto error = [](std::string_view body) {
    auto p = parse_sts_policy(body);
    return p ? std::string("accepted") : p.error().message;
  };
  EXPECT_EQ(error("mode: enforce\nmx: a\nmax_age: 1\n"), "policy version is not STSv1");
  EXPECT_EQ(error("version: STSv1\nmode: strict\nmx: a\nmax_age: 1\n"),
            "invalid policy mode \"strict\"");
  EXPECT_EQ(error("version: STSv1\nmode: enforce\nmax_age: 1\n"), "policy without mx");
  EXPECT_EQ(error("version: STSv1\nmode: enforce\nmx: a\nmax_age: 31557601\n"),
            "missing or invalid max_age");
  EXPECT_EQ(error("version: STSv1\nmode: enforce\nmx: a\nmax_age: -1\n"), "invalid max_age \"-1\"");
  EXPECT_EQ(error("version: STSv1\nmode enforce\n"), "policy line without \":\"");
}

TEST(SmtpAgentMtaSts, MxPatterns) {
  StsPolicy p;
  p.mx = {"mail.example.com", "*.example.net"};
  EXPECT_TRUE(sts_mx_matches(p, "MAIL.example.com."));
  EXPECT_TRUE(sts_mx_matches(p, "mx1.example.net"));
  EXPECT_FALSE(sts_mx_matches(p, "example.net"));
  EXPECT_FALSE(sts_mx_matches(p, "a.b.example.net"));
  EXPECT_FALSE(sts_mx_matches(p, "mail.example.com.evil"));
  EXPECT_FALSE(sts_mx_matches(p, "xmail.example.com"));
}

}  // namespace
}  // namespace correio::delivery::smtp_agent
