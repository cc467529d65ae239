// forward_path's $name expansion (Postfix's local_expand()): plain, braced and
// conditional forms, undefined names, the expansion filter and malformed patterns.
#include "delivery/local/local_expand.hpp"

#include <gtest/gtest.h>

#include <map>

#include "delivery/sysexits.hpp"

namespace correio::delivery::local_agent {
namespace {

const std::map<std::string, std::string, std::less<>> kAttrs = {{"home", "/home/carol"},
                                                                {"user", "carol"},
                                                                {"extension", "lists"},
                                                                {"empty", ""},
                                                                {"odd", "a b;c"}};

std::optional<std::string> expand(std::string_view pattern, std::string_view filter = "") {
  auto lookup = [](std::string_view name) -> std::optional<std::string> {
    auto it = kAttrs.find(name);
    if (it == kAttrs.end()) return std::nullopt;
    return it->second;
  };
  std::string f = filter.empty() ? "abcdefghijklmnopqrstuvwxyz/.-+" : std::string(filter);
  return local_expand(pattern, lookup, f);
}

TEST(LocalExpand, NamesInEveryForm) {
  EXPECT_EQ(expand("$home/.forward"), "/home/carol/.forward");
  EXPECT_EQ(expand("${home}/x$(user)"), "/home/carol/xcarol");
  EXPECT_EQ(expand("$home/.forward${extension?+}$extension"), "/home/carol/.forward+lists");
  EXPECT_EQ(expand("${empty:none}${extension:none}"), "none");
  EXPECT_EQ(expand("${extension?${user}}"), "carol");
  EXPECT_EQ(expand("a$$b"), "a$b");
}

TEST(LocalExpand, AnUndefinedOrEmptyNameSkipsTheEntry) {
  EXPECT_EQ(expand("$home/.forward+$missing"), std::nullopt);
  EXPECT_EQ(expand("$home/.forward+${empty}"), std::nullopt);
  EXPECT_EQ(expand("$home/.forward${missing?+x}"), "/home/carol/.forward");
}

TEST(LocalExpand, FilterAndMalformedPatterns) {
  EXPECT_EQ(expand("$odd"), "a_b_c");
  EXPECT_EQ(expand("${home"), std::nullopt);
  EXPECT_EQ(expand("trailing$"), std::nullopt);
  EXPECT_EQ(expand("${?x}"), std::nullopt);
  EXPECT_EQ(expand("${home!x}"), std::nullopt);
}

TEST(Sysexits, PostfixTableAndVerdicts) {
  EXPECT_TRUE(sysexits_meaning(75).temporary);
  EXPECT_TRUE(sysexits_meaning(71).temporary);
  EXPECT_FALSE(sysexits_meaning(74).temporary);
  EXPECT_EQ(sysexits_meaning(67).dsn, "5.1.1");
  EXPECT_EQ(sysexits_meaning(78).dsn, "5.3.5");
  EXPECT_FALSE(sysexits_meaning(1).known);
  EXPECT_FALSE(sysexits_meaning(79).known);
  auto v = command_exit_verdict(73, "cmd", "disk?");
  EXPECT_FALSE(v.temporary);
  EXPECT_EQ(v.dsn, "5.2.0");
  EXPECT_EQ(v.text, "can't create user output file. Command output: disk?");
  v = command_exit_verdict(1, "cmd", "5.7.1 go away");
  EXPECT_EQ(v.dsn, "5.7.1");
  EXPECT_EQ(v.text, "go away");
  v = command_exit_verdict(2, "cmd", "5.7 not a code");
  EXPECT_EQ(v.text, "Command died with status 2: \"cmd\". Command output: 5.7 not a code");
  v = command_exit_verdict(1, "cmd", "2.0.0 fine");  // success codes are no verdict
  EXPECT_EQ(v.dsn, "5.3.0");
}

}  // namespace
}  // namespace correio::delivery::local_agent
