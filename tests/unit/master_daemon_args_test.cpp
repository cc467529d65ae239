// The command line the master gives service processes (service/daemon.hpp).
#include <gtest/gtest.h>

#include "master/spawn.hpp"
#include "service/daemon.hpp"

namespace correio {
namespace {

TEST(MasterDaemonArgs, ParsesWhatTheMasterPasses) {
  config::MasterService s;
  s.name = "127.0.0.1:2587";
  s.type = "inet";
  s.command = "smtpd";
  s.overrides = {{"syslog_name", "correio/submission"}, {"smtpd_banner", "$myhostname hi there"}};
  auto argv = master::daemon_argv("/etc/correio", s);
  ASSERT_GE(argv.size(), 5u);
  EXPECT_EQ(argv[0], "correio");
  EXPECT_EQ(argv[1], "-c");
  EXPECT_EQ(argv[3], "daemon");
  std::vector<std::string> rest(argv.begin() + 4, argv.end());
  auto args = service::parse_daemon_args("/etc/correio", rest);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->command, "smtpd");
  EXPECT_EQ(args->service_name, "127.0.0.1:2587");
  EXPECT_EQ(args->service_type, "inet");
  EXPECT_EQ(args->overrides, s.overrides);
}

TEST(MasterDaemonArgs, RejectsMalformedArguments) {
  EXPECT_FALSE(service::parse_daemon_args("/x", {}));
  EXPECT_FALSE(service::parse_daemon_args("/x", {"-n", "x"}));
  EXPECT_FALSE(service::parse_daemon_args("/x", {"smtpd", "-n"}));
  EXPECT_FALSE(service::parse_daemon_args("/x", {"smtpd", "-o", "novalue"}));
  EXPECT_FALSE(service::parse_daemon_args("/x", {"smtpd", "-o", "=x"}));
  EXPECT_FALSE(service::parse_daemon_args("/x", {"smtpd", "extra"}));
}

// pipe(8)'s flags=, user= and argv= reach the daemon unchanged, ${recipient} included.
TEST(MasterDaemonArgs, CommandArgumentsFollowADoubleDash) {
  config::MasterService s;
  s.name = "maildrop";
  s.type = "unix";
  s.command = "pipe";
  s.args = {"flags=DRhu", "user=vmail", "argv=/usr/bin/maildrop", "-d", "${recipient}"};
  auto argv = master::daemon_argv("/etc/correio", s);
  std::vector<std::string> rest(argv.begin() + 4, argv.end());
  auto args = service::parse_daemon_args("/etc/correio", rest);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->command, "pipe");
  EXPECT_EQ(args->args, s.args);
}

// spawn(8): maxproc counts commands, so the one spawn process gets it as -l.
TEST(MasterDaemonArgs, SessionLimitTravelsAsDashL) {
  config::MasterService s;
  s.name = "127.0.0.1:9999";
  s.type = "inet";
  s.command = "spawn";
  s.args = {"user=nobody", "argv=/bin/cat"};
  auto argv = master::daemon_argv("/etc/correio", s, 7);
  std::vector<std::string> rest(argv.begin() + 4, argv.end());
  auto args = service::parse_daemon_args("/etc/correio", rest);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->session_limit, 7);
  EXPECT_EQ(args->args, s.args);
  EXPECT_EQ(master::daemon_argv("/etc/correio", s), master::daemon_argv("/etc/correio", s, 0));
  EXPECT_FALSE(service::parse_daemon_args("/x", {"spawn", "-l", "many"}));
}

TEST(MasterDaemonArgs, DefaultsNameToTheCommand) {
  auto args = service::parse_daemon_args("/x", {"smtpd"});
  ASSERT_TRUE(args);
  EXPECT_EQ(args->service_name, "smtpd");
}

}  // namespace
}  // namespace correio
