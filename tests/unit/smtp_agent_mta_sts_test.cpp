// MTA-STS texts (RFC 8461 §3.1, §3.2, §4.1): the TXT record's id, the policy file's fields
// and their errors, and MX pattern matching with one-label wildcards. The HTTPS fetch and
// the agent's use of a policy: tests/integration/test_mail_out_mta_sts.py.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "delivery/smtp/mta_sts_policy.hpp"
#include "delivery/smtp/mta_sts_store.hpp"

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

// The policy cache file (mta_sts_store.hpp): written and read back, and refused when any
// part is missing or bad; the store keeps one file per domain and never a path.
TEST(SmtpAgentMtaSts, CacheFile) {
  const std::string body = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 600\n";
  StsCacheRecord r;
  r.id = "20261207";
  r.fetched = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  r.body = body;
  std::string text = format_sts_cache(r);
  EXPECT_EQ(text, "id: 20261207\nfetched: 1800000000\n\n" + body);
  auto back = parse_sts_cache(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->id, "20261207");
  EXPECT_EQ(back->fetched, r.fetched);
  EXPECT_EQ(back->policy.mode, StsMode::enforce);
  EXPECT_EQ(back->policy.max_age, std::chrono::seconds(600));
  EXPECT_FALSE(parse_sts_cache("id: 1\n\n" + body));                // no fetch time
  EXPECT_FALSE(parse_sts_cache("fetched: 5\n\n" + body));           // no id
  EXPECT_FALSE(parse_sts_cache("id: a-b\nfetched: 5\n\n" + body));  // bad id
  EXPECT_FALSE(parse_sts_cache("id: 1\nfetched: -5\n\n" + body));
  EXPECT_FALSE(parse_sts_cache("id: 1\nfetched: 5\n\nmode: enforce\n"));  // bad policy
  EXPECT_FALSE(parse_sts_cache("id: 1\nfetched: 5\n"));                   // no body

  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("correio-sts-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  StsStore store(dir);
  auto none = store.load("example.com");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  ASSERT_TRUE(store.save("example.com", r).ok());
  auto loaded = store.load("example.com");
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->id, "20261207");
  EXPECT_FALSE(store.save("../evil", r).ok());
  EXPECT_FALSE(store.save("a/b", r).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace correio::delivery::smtp_agent
