// check_policy_service's argument with per-server settings in braces (Postfix 3.0).
#include <gtest/gtest.h>

#include "smtpd/access/policy_settings.hpp"

namespace correio::smtpd::access {
namespace {

using namespace std::chrono_literals;

TEST(PolicyServiceSettings, PlainServerKeepsTheDefaults) {
  Restrictions::Options::Policy defaults;
  defaults.timeout = 7s;
  auto s = parse_policy_service("inet:127.0.0.1:9998", defaults);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint, "inet:127.0.0.1:9998");
  EXPECT_EQ(s->settings.timeout, 7s);
  EXPECT_EQ(s->settings.default_action, "451 4.3.5 Server configuration problem");
}

TEST(PolicyServiceSettings, BracesOverrideEachSetting) {
  auto s = parse_policy_service(
      "{ unix:private/policy, timeout=10s, default_action=DUNNO,max_idle=1m "
      "max_ttl=2h, request_limit=5, retry_delay=2, try_limit=3, "
      "policy_context={ a text with spaces } }",
      {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint, "unix:private/policy");
  EXPECT_EQ(s->settings.timeout, 10s);
  EXPECT_EQ(s->settings.default_action, "DUNNO");
  EXPECT_EQ(s->settings.max_idle, 60s);
  EXPECT_EQ(s->settings.max_ttl, 7200s);
  EXPECT_EQ(s->settings.request_limit, 5);
  EXPECT_EQ(s->settings.retry_delay, 2s);
  EXPECT_EQ(s->settings.try_limit, 3);
  EXPECT_EQ(s->settings.context, "a text with spaces");
}

TEST(PolicyServiceSettings, DefaultActionWithSpacesInBraces) {
  auto s = parse_policy_service("{inet:localhost:9998, default_action={450 4.7.1 try later}}", {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint, "inet:localhost:9998");
  EXPECT_EQ(s->settings.default_action, "450 4.7.1 try later");
  // SMTPD_POLICY_README: "{ name = value }" for spaces around "=" or in the value.
  s = parse_policy_service("{ inet:h:1, { default_action = 450 4.7.1 try, later }, try_limit=1 }",
                           {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->settings.default_action, "450 4.7.1 try, later");
  EXPECT_EQ(s->settings.try_limit, 1);
}

TEST(PolicyServiceSettings, MistakesAreNamed) {
  auto unknown = parse_policy_service("{ inet:h:1, timout=10s }", {});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown setting \"timout\""), std::string::npos);
  auto bad_time = parse_policy_service("{ inet:h:1, timeout=ten }", {});
  ASSERT_FALSE(bad_time);
  EXPECT_NE(bad_time.error().message.find("timeout: bad time value \"ten\""), std::string::npos);
  EXPECT_FALSE(parse_policy_service("{ inet:h:1, try_limit=-1 }", {}));
  EXPECT_FALSE(parse_policy_service("{ inet:h:1, timeout }", {}));
  EXPECT_FALSE(parse_policy_service("{ timeout=1s, inet:h:1 }", {}));
  EXPECT_FALSE(parse_policy_service("{ }", {}));
  EXPECT_FALSE(parse_policy_service("{ inet:h:1, policy_context={x }", {}));
  EXPECT_FALSE(parse_policy_service("{ inet:h:1 ", {}));
}

}  // namespace
}  // namespace correio::smtpd::access
