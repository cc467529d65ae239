// delivery::run_command, the fork/exec of local's |command and pipe's argv=: stdin, the
// collected output, exit codes, the given environment only, the working directory rule,
// and the switch to another user when run as root.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "delivery/command_run.hpp"

namespace correio::delivery {
namespace {

CommandSpec shell(std::string script) {
  CommandSpec spec;
  spec.program = "/bin/sh";
  spec.argv = {"sh", "-c", std::move(script)};
  spec.environment = {"PATH=/usr/bin:/bin", "ONLY=this"};
  spec.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  return spec;
}

TEST(RunCommand, InputOutputStatusAndEnvironment) {
  CommandSpec spec = shell("cat; echo \"$ONLY${HOME:-nohome}\" >&2; pwd; exit 3");
  spec.input = "hello\n";
  auto done = run_command(spec);
  ASSERT_TRUE(done.has_value());
  ASSERT_FALSE(done->timed_out);
  ASSERT_TRUE(WIFEXITED(done->status));
  EXPECT_EQ(WEXITSTATUS(done->status), 3);
  EXPECT_EQ(done->output, "hello thisnohome /");
}

TEST(RunCommand, DirectoryRuleAndExecFailures) {
  CommandSpec spec = shell("pwd");
  spec.directory = "/nonexistent-dir";
  auto strict = run_command(spec);
  ASSERT_TRUE(strict.has_value());
  EXPECT_EQ(WEXITSTATUS(strict->status), 75) << "pipe's rule: a missing directory is temporary";
  spec.directory_or_root = true;
  auto lenient = run_command(spec);
  ASSERT_TRUE(lenient.has_value());
  EXPECT_EQ(WEXITSTATUS(lenient->status), 0);
  EXPECT_EQ(lenient->output, "/");

  CommandSpec missing = shell("");
  missing.program = "/nonexistent-program";
  auto gone = run_command(missing);
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(WEXITSTATUS(gone->status), 127);
}

TEST(RunCommand, TimeLimitKillsTheCommand) {
  CommandSpec spec = shell("sleep 30");
  spec.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  auto done = run_command(spec);
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->timed_out);
}

TEST(RunCommand, RootSwitchesToTheGivenUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  CommandSpec spec = shell("id -u; id -g; id -G");
  spec.as = RunAs{65534, 65534, ""};
  auto done = run_command(spec);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->output, "65534 65534 65534");
}

}  // namespace
}  // namespace correio::delivery
