// The smtp agent's DNS and DANE settings from main.cf: smtp_dns_support_level (postconf(5):
// when set it replaces disable_dns_lookups; dnssec asks for validated answers),
// smtp_tls_dane_insecure_mx_policy (its default follows smtp_tls_security_level), and
// Correio's smtp_tls_mta_sts_enable; values the agent cannot honour stop it at start.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/main_cf.hpp"
#include "delivery/smtp/agent.hpp"

namespace correio::delivery::smtp_agent {
namespace {

Result<AgentSettings> settings(const std::string& text) {
  auto main_cf = config::MainCf::parse(text, "main.cf");
  EXPECT_TRUE(main_cf.ok());
  auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
  EXPECT_TRUE(config.ok());
  return agent_settings_from_config(*config, "smtp");
}

TEST(SmtpAgentDnsSettings, SupportLevel) {
  auto plain = settings("");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->dns_lookups);
  EXPECT_FALSE(plain->resolver.dnssec);
  EXPECT_FALSE(settings("disable_dns_lookups = yes\n")->dns_lookups);
  EXPECT_FALSE(settings("smtp_dns_support_level = disabled\n")->dns_lookups);
  // When set, the support level wins over disable_dns_lookups (postconf(5)).
  EXPECT_TRUE(
      settings("disable_dns_lookups = yes\nsmtp_dns_support_level = enabled\n")->dns_lookups);
  auto dnssec = settings("smtp_dns_support_level = DNSSEC\n");
  ASSERT_TRUE(dnssec);
  EXPECT_TRUE(dnssec->dns_lookups);
  EXPECT_TRUE(dnssec->resolver.dnssec);
  auto bad = settings("smtp_dns_support_level = validating\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("main.cf:1: smtp_dns_support_level: unknown value"),
            std::string::npos)
      << bad.error().message;
}

TEST(SmtpAgentDnsSettings, DaneInsecureMxPolicyAndMtaSts) {
  EXPECT_EQ(settings("smtp_tls_security_level = dane\n")->dane_insecure_mx, InsecureMxPolicy::dane);
  EXPECT_EQ(settings("smtp_tls_security_level = may\n")->dane_insecure_mx, InsecureMxPolicy::may);
  EXPECT_EQ(settings("smtp_tls_security_level = dane\nsmtp_tls_dane_insecure_mx_policy = may\n")
                ->dane_insecure_mx,
            InsecureMxPolicy::may);
  EXPECT_FALSE(settings("smtp_tls_dane_insecure_mx_policy = encrypt\n"));
  EXPECT_FALSE(settings("")->mta_sts);
  EXPECT_TRUE(settings("smtp_tls_mta_sts_enable = yes\n")->mta_sts);
  auto dane = settings("smtp_tls_security_level = dane-only\n");
  ASSERT_TRUE(dane);
  EXPECT_EQ(dane->tls.defaults.dane, DaneMode::dane_only);
  EXPECT_TRUE(dane->tls.refused.empty());
}

}  // namespace
}  // namespace correio::delivery::smtp_agent
