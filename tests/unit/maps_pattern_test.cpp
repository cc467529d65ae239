// regexp: and pcre: tables through open_map(): flags and their defaults, negation,
// IF/ENDIF, $n substitution, the whole key (case kept) matched, and the warnings for bad
// rules, which are skipped as Postfix skips them.
#include <gtest/gtest.h>

#include "maps/map.hpp"
#include "maps_test_support.hpp"

using namespace correio::maps;
using correio::maps::testing::get;
using correio::maps::testing::TempDirTest;

namespace {

class MapsPattern : public TempDirTest, public ::testing::WithParamInterface<const char*> {
 protected:
  std::unique_ptr<Map> open(const std::string& text) {
    MapOptions options;
    options.warn = [this](const std::string& w) { warnings_.push_back(w); };
    file_ = write("table", text);
    auto map = open_map(std::string(GetParam()) + ":" + file_, options);
    EXPECT_TRUE(map.ok()) << map.error().message;
    return map.ok() ? std::move(*map) : nullptr;
  }
  std::string warning(size_t i) {
    return i < warnings_.size() ? warnings_[i] : "(no warning " + std::to_string(i) + ")";
  }
  std::string prefix(int line) { return fmt_line(GetParam(), file_, line); }
  static std::string fmt_line(const char* type, const std::string& file, int line) {
    return std::string(type) + " map " + file + ", line " + std::to_string(line) + ": ";
  }
  std::string file_;
  std::vector<std::string> warnings_;
};

}  // namespace

TEST_P(MapsPattern, FirstMatchWithSubstitutionOnTheWholeKey) {
  auto map = open(
      "# comment\n"
      "/^(.*)@Example\\.com$/  local:$1\n"
      "/^FOO$/i   case-sensitive\n"
      "/^w(.*)$/  ${1}.braced $$ $(1)\n"
      "/^m/       first\n"
      "/^ma/      second\n"
      "/^f(x)?$/  f[$1]\n");
  ASSERT_TRUE(map);
  EXPECT_EQ(get(*map, "Joe@EXAMPLE.com"), "local:Joe");  // case-insensitive, case kept
  EXPECT_EQ(get(*map, "FOO"), "case-sensitive");
  EXPECT_EQ(get(*map, "foo"), "(none)");
  EXPECT_EQ(get(*map, "wab"), "ab.braced $ ab");
  EXPECT_EQ(get(*map, "max"), "first");
  EXPECT_EQ(get(*map, "f"), "f[]");  // a group that did not take part is empty
  EXPECT_TRUE(warnings_.empty()) << warning(0);
}

TEST_P(MapsPattern, NegationAndIfBlocks) {
  auto map = open(
      "if /@example\\.com$/\n"
      "!/^postmaster@/  not-postmaster\n"
      "/^post/          postmaster\n"
      "endif\n"
      "/.*/             outside\n");
  ASSERT_TRUE(map);
  EXPECT_EQ(get(*map, "bob@example.com"), "not-postmaster");
  EXPECT_EQ(get(*map, "postmaster@example.com"), "postmaster");
  EXPECT_EQ(get(*map, "postmaster@other.org"), "outside");
}

TEST_P(MapsPattern, ContinuationLinesKeepTheirWhitespace) {
  auto map = open("/^s/  a\n   b  \n\t c\n");
  ASSERT_TRUE(map);
  EXPECT_EQ(get(*map, "s"), "a   b  \t c");
}

TEST_P(MapsPattern, BadRulesAreWarnedAboutAndSkipped) {
  auto map = open(
      "/a(b/      bad\n"
      "/x/q       badflag\n"
      "/no closing\n"
      "/^y(.*)$/  out $2\n"
      "/^z(.*)$/  bad $foo\n"
      "endif\n"
      "meh\n"
      "/^ok/      ok\n"
      "if /^q/\n"
      "!/(a)/     x$1\n");
  ASSERT_TRUE(map);
  EXPECT_EQ(get(*map, "ok"), "ok");
  EXPECT_EQ(get(*map, "y1"), "(none)");
  std::string unclosed = std::string(GetParam()) == "pcre" ? "ignoring" : "skipping";
  EXPECT_EQ(warning(1), prefix(2) + "unknown regexp option \"q\": skipping this rule");
  EXPECT_EQ(warning(2),
            prefix(3) + "no closing regexp delimiter \"/\": " + unclosed + " this rule");
  EXPECT_EQ(warning(3), prefix(4) + "out of range replacement index \"2\": skipping this rule");
  EXPECT_EQ(warning(4), prefix(5) + "non-numeric replacement index \"foo\"");
  EXPECT_EQ(warning(5), prefix(5) + "bad replacement syntax: skipping this rule");
  EXPECT_EQ(warning(6), prefix(6) + "ignoring ENDIF without matching IF");
  EXPECT_EQ(warning(7), prefix(7) + "ignoring unrecognized request");
  EXPECT_EQ(warning(8),
            prefix(10) + "$number found in negative match replacement text: skipping this rule");
  EXPECT_EQ(warning(9), prefix(9) + "IF has no matching ENDIF");
  EXPECT_EQ(warnings_.size(), 10u);
}

TEST_P(MapsPattern, MissingFileIsAnError) {
  auto map = open_map(std::string(GetParam()) + ":" + (root_ / "absent").string());
  ASSERT_FALSE(map.ok());
  EXPECT_NE(map.error().message.find("No such file"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Types, MapsPattern, ::testing::Values("regexp", "pcre"));

class MapsRegexpOnly : public TempDirTest {};

TEST_F(MapsRegexpOnly, SecondPatternAndFlags) {
  MapOptions options;
  auto map = open_map("regexp:" + write("re",
                                        "/^t/!/^tx/  t-not-tx\n/a b/x  basic\n"
                                        "/^[[:upper:]]+$/ upper\n"),
                      options);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*(*map)->lookup("tt").value(), "t-not-tx");
  EXPECT_FALSE((*map)->lookup("tx1").value());
  EXPECT_EQ(*(*map)->lookup("a b").value(), "basic");    // x: basic RE syntax
  EXPECT_EQ(*(*map)->lookup("lower").value(), "upper");  // i is on by default
}

TEST_F(MapsRegexpOnly, PcreDotallByDefaultAndPerlSyntax) {
  std::vector<std::string> warnings;
  MapOptions options;
  options.warn = [&](const std::string& w) { warnings.push_back(w); };
  auto map = open_map("pcre:" + write("pcre",
                                      "/a.b/ dotall\n/^(\\d+)(?:x)$/X digits-$1\n"
                                      "/^c.d/s nodotall\n"),
                      options);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*(*map)->lookup("a\nb").value(), "dotall");
  EXPECT_EQ(*(*map)->lookup("42x").value(), "digits-42");
  EXPECT_FALSE((*map)->lookup("c\nd").value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ignoring obsolete regexp option \"X\""), std::string::npos);
}
