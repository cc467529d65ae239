// spawn(8)'s master.cf arguments and the check of a spawn entry (spawn/spawn_options.hpp).
#include "spawn/spawn_options.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace correio::spawn {
namespace {

TEST(SpawnOptions, UserAndArgvWithEverythingAfterIt) {
  auto o = parse_spawn_options({"user=nobody", "argv=/usr/bin/policy", "-x", "user=y"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->user, "nobody");
  EXPECT_EQ(o->argv, (std::vector<std::string>{"/usr/bin/policy", "-x", "user=y"}));
}

TEST(SpawnOptions, RefusesWhatPostfixRefuses) {
  EXPECT_FALSE(parse_spawn_options({"argv=/bin/cat"}));                 // no user=
  EXPECT_FALSE(parse_spawn_options({"user=nobody"}));                   // no argv=
  EXPECT_FALSE(parse_spawn_options({"user=nobody", "argv="}));          // empty command
  EXPECT_FALSE(parse_spawn_options({"user=nobody", "argv=cat"}));       // relative path
  EXPECT_FALSE(parse_spawn_options({"flags=R", "user=x", "argv=/a"}));  // pipe's, not spawn's
}

TEST(SpawnOptions, CheckRefusesRootAndUnknownUsers) {
  config::MasterService s;
  s.command = "spawn";
  s.unpriv = "n";
  s.args = {"user=root", "argv=/bin/cat"};
  auto problems = check_spawn_service(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "error: spawn: user= must not be root");
  s.args = {"user=no-such-user-here", "argv=/bin/cat"};
  ASSERT_EQ(check_spawn_service(s).size(), 1u);
  s.args = {"user=nobody", "argv=/bin/cat"};
  EXPECT_TRUE(check_spawn_service(s).empty());
  s.unpriv = "-";
  EXPECT_EQ(check_spawn_service(s).size(), ::geteuid() == 0 ? 1u : 0u);
}

}  // namespace
}  // namespace correio::spawn
