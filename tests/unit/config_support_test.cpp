// The unsupported half of the defaults table: every entry names a real parameter, the
// accepted values and expanded defaults are not reported, and overrides carry their origin.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/parameters.hpp"
#include "config/support.hpp"

namespace correio::config {
namespace {

Config make(std::string_view text) {
  auto m = MainCf::parse(text, "/etc/correio/main.cf");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  auto c = Config::from_main_cf(m.value(), "/etc/correio");
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.value();
}

TEST(Support, EveryEntryIsAKnownParameterAndNotHonoured) {
  for (const SupportInfo& info : support_table()) {
    EXPECT_NE(find_parameter(info.name), nullptr) << info.name;
    EXPECT_NE(info.support, Support::kHonoured) << info.name;
    EXPECT_FALSE(info.note.empty()) << info.name;
  }
  EXPECT_EQ(parameter_support("myhostname"), Support::kHonoured);
  EXPECT_EQ(parameter_support("no_such_parameter"), Support::kHonoured);
  EXPECT_EQ(parameter_support("smtpd_proxy_filter"), Support::kNotYetUnsafe);
}

TEST(Support, ChangedValuesAreReportedWithFileAndLine) {
  auto findings = unsupported_settings(
      make("myhostname = a.example\nsmtpd_proxy_filter = 127.0.0.1:10025\nbiff = yes\n"
           "debug_peer_list = 10.0.0.1\n"));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_TRUE(findings[0].fatal);
  EXPECT_EQ(findings[0].message.rfind("/etc/correio/main.cf:2: error: smtpd_proxy_filter = "
                                      "127.0.0.1:10025: not supported",
                                      0),
            0u)
      << findings[0].message;
  EXPECT_FALSE(findings[1].fatal);
  EXPECT_EQ(findings[1].message.rfind("/etc/correio/main.cf:4: warning: debug_peer_list", 0), 0u)
      << findings[1].message;
}

TEST(Support, DefaultsAcceptedValuesAndTheLastEntryWin) {
  // biff = no and append_dot_mydomain = no describe what Correio does; the default of
  // propagate_unmatched_extensions written as another list is still the default; only
  // the last of two entries counts.
  auto findings = unsupported_settings(
      make("biff = no\nappend_dot_mydomain = no\npropagate_unmatched_extensions = canonical "
           "virtual\nsmtpd_milters = inet:x:1\nsmtpd_milters =\nlocal_recipient_maps =\n"));
  EXPECT_TRUE(findings.empty()) << findings.front().message;
}

TEST(Support, OverridesNameTheirOrigin) {
  Config c = make("");
  auto findings =
      unsupported_overrides(c, {{"content_filter", ""}, {"smtpd_proxy_filter", "127.0.0.1:1"}},
                            "/etc/correio/master.cf:7: service smtp/inet");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(
      findings[0].message,
      "/etc/correio/master.cf:7: service smtp/inet: error: -o smtpd_proxy_filter=127.0.0.1:1: not "
      "supported by Correio yet, and ignoring it would weaken security or lose mail: "
      "before-queue content filters are not built yet");
}

}  // namespace
}  // namespace correio::config
