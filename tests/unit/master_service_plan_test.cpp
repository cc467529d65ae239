// From master.cf to services, and the reload diff deciding what to restart.
#include <gtest/gtest.h>

#include <algorithm>

#include "master/service_plan.hpp"

namespace correio::master {
namespace {

config::Config make_config(std::string_view main_cf) {
  auto parsed = config::MainCf::parse(main_cf, "main.cf");
  EXPECT_TRUE(parsed);
  auto config = config::Config::from_main_cf(*parsed, "/etc/correio-test");
  EXPECT_TRUE(config);
  return *config;
}

std::vector<config::MasterService> master_cf(std::string_view text) {
  auto parsed = config::parse_master_cf(text, "master.cf");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return *parsed;
}

const KnownCommands kKnown{{"smtpd", "qmgr"}};

std::vector<ServiceSpec> plan(std::string_view main_cf, std::string_view master,
                              std::vector<std::string>* problems = nullptr) {
  PlanOptions options;
  options.known = &kKnown;
  auto specs = plan_services(make_config(main_cf), master_cf(master), options, problems);
  EXPECT_TRUE(specs) << specs.error().message;
  return specs ? *specs : std::vector<ServiceSpec>{};
}

constexpr std::string_view kMain = "queue_directory = /var/spool/x\ninet_protocols = ipv4\n";
constexpr std::string_view kMaster =
    "127.0.0.1:2525 inet n - n - - smtpd\n"
    "127.0.0.1:2587 inet n - n - 2 smtpd -o syslog_name=correio/submission\n"
    "qmgr unix n - n 300 1 qmgr\n";

TEST(MasterServicePlan, MaxprocDefaultsToOneProcess) {
  EXPECT_EQ(*parse_maxproc("-"), 1);
  EXPECT_EQ(*parse_maxproc("0"), 1);
  EXPECT_EQ(*parse_maxproc("4"), 4);
  EXPECT_FALSE(parse_maxproc("many"));
}

TEST(MasterServicePlan, BuildsListenersAndProcessCounts) {
  auto specs = plan(kMain, kMaster);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].listeners[0].key(), "inet:127.0.0.1:2525");
  EXPECT_EQ(specs[1].processes, 2);
  // Private column "n": a public socket, as Postfix's qmgr.
  EXPECT_EQ(specs[2].listeners[0].key(), "unix:/var/spool/x/public/qmgr");
  auto priv = plan(kMain, "smtp unix - - n - - smtpd\n");
  ASSERT_EQ(priv.size(), 1u);
  EXPECT_EQ(priv[0].listeners[0].key(), "unix:/var/spool/x/private/smtp");
}

TEST(MasterServicePlan, UnknownCommandsAreSkippedWithAWarning) {
  std::vector<std::string> problems;
  auto specs =
      plan(kMain, "127.0.0.1:25 inet n - n - - smtpd\nx unix - - n - - nosuch\n", &problems);
  EXPECT_EQ(specs.size(), 1u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("master.cf:2: warning: unknown command: nosuch"), std::string::npos)
      << problems[0];
}

TEST(MasterServicePlan, StrictModeMakesThemErrors) {
  PlanOptions options;
  options.known = &kKnown;
  options.strict = true;
  std::vector<std::string> problems;
  auto specs =
      plan_services(make_config(kMain), master_cf("x unix - - n - - nosuch\n"), options, &problems);
  EXPECT_FALSE(specs);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("master.cf:1: error: "), std::string::npos);
}

TEST(MasterServicePlan, DuplicateAddressesAreErrors) {
  PlanOptions options;
  options.known = &kKnown;
  auto specs = plan_services(
      make_config(kMain),
      master_cf("127.0.0.1:25 inet n - n - - smtpd\n127.0.0.1:smtp inet n - n - - smtpd\n"),
      options, nullptr);
  // Only when /etc/services knows "smtp"; otherwise the second line fails to resolve.
  EXPECT_FALSE(specs);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(MasterServicePlan, UnchangedConfigurationRestartsNothing) {
  auto diff = diff_services(plan(kMain, kMaster), plan(kMain, kMaster));
  EXPECT_TRUE(diff.start.empty());
  EXPECT_TRUE(diff.restart.empty());
  EXPECT_TRUE(diff.stop.empty());
  EXPECT_EQ(diff.keep.size(), 3u);
}

TEST(MasterServicePlan, ChangedEntryRestartsOnlyThatService) {
  std::string changed(kMaster);
  changed.replace(changed.find("2 smtpd"), 7, "3 smtpd");
  auto diff = diff_services(plan(kMain, kMaster), plan(kMain, changed));
  ASSERT_EQ(diff.restart.size(), 1u);
  EXPECT_EQ(diff.restart[0], "127.0.0.1:2587/inet");
  EXPECT_EQ(diff.keep.size(), 2u);
}

TEST(MasterServicePlan, ChangedMainCfRestartsEverything) {
  std::string main_cf = std::string(kMain) + "smtpd_banner = $myhostname ESMTP\n";
  auto diff = diff_services(plan(kMain, kMaster), plan(main_cf, kMaster));
  EXPECT_EQ(diff.restart.size(), 3u);
}

TEST(MasterServicePlan, CommentsDoNotCount) {
  std::string with_comment = std::string("# a comment\n") + std::string(kMaster);
  auto diff = diff_services(plan(kMain, kMaster), plan(kMain, with_comment));
  EXPECT_TRUE(diff.restart.empty());
}

TEST(MasterServicePlan, AddedAndRemovedServices) {
  auto before = plan(kMain, "127.0.0.1:2525 inet n - n - - smtpd\nqmgr unix n - n - 1 qmgr\n");
  auto after =
      plan(kMain, "127.0.0.1:2525 inet n - n - - smtpd\n127.0.0.1:26 inet n - n - - smtpd\n");
  auto diff = diff_services(before, after);
  EXPECT_TRUE(contains(diff.start, "127.0.0.1:26/inet"));
  EXPECT_TRUE(contains(diff.stop, "qmgr/unix"));
  EXPECT_TRUE(contains(diff.keep, "127.0.0.1:2525/inet"));
}

}  // namespace
}  // namespace correio::master
