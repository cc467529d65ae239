// The required-literal prefilter of regexp: and pcre: tables: what it extracts, what it
// refuses to guess, and that tables answer the same with it as the engine alone would.
#include <gtest/gtest.h>

#include <cstdio>

#include "maps/detail/required_literal.hpp"
#include "maps/map.hpp"

using namespace correio::maps;
using namespace correio::maps::detail;

namespace {

std::string lit(std::string_view re, RegexDialect d = RegexDialect::kPcre,
                std::string_view flags = "") {
  return required_literal({std::string(re), std::string(flags), true}, d).text;
}

}  // namespace

TEST(MapsRequiredLiteral, LongestPlainRun) {
  EXPECT_EQ(lit("^Subject: .*viagra"), "subject: ");
  EXPECT_EQ(lit("^(.*)@example\\.com$"), "@example.com");
  EXPECT_EQ(lit("^X-Spam-Flag: YES"), "x-spam-flag: yes");
  EXPECT_EQ(lit("abc?d"), "ab");         // "c" is optional
  EXPECT_EQ(lit("ab+cde"), "cde");       // "ab" ends at the "+", then a new run
  EXPECT_EQ(lit("abc{0,2}xyz"), "xyz");  // {0,..} is optional
  EXPECT_EQ(lit("x(foo|bar)yz"), "yz");  // alternation inside a group is skipped
  EXPECT_EQ(lit("[ab]cd[]x]e"), "cd");   // classes are one unknown character
  EXPECT_EQ(lit("a\\d+bcd"), "bcd");
  EXPECT_EQ(lit("Ab", RegexDialect::kPcre, "i"), "Ab");  // "i" makes it case-sensitive
  EXPECT_EQ(lit("[[:alpha:]]+xyz", RegexDialect::kPosixExtended), "xyz");
  EXPECT_EQ(lit("a\\.b", RegexDialect::kPosixExtended), "a.b");
}

TEST(MapsRequiredLiteral, NoGuessWhereUnsure) {
  EXPECT_EQ(lit("foo|bar"), "");  // top-level alternation
  EXPECT_EQ(lit("(?i)abc"), "");  // inline options
  EXPECT_EQ(lit("\\x41bc"), "");  // escapes with arguments
  EXPECT_EQ(lit("\\Qa.b\\E"), "");
  EXPECT_EQ(lit("a{x"), "");  // '{' that is not a count
  EXPECT_EQ(lit("abc", RegexDialect::kPcre, "x"), "");
  EXPECT_EQ(lit("(abc"), "");            // unbalanced
  EXPECT_EQ(lit("caf\xc3\xa9"), "caf");  // caseless: ASCII only
  EXPECT_EQ(lit("caf\xc3\xa9", RegexDialect::kPcre, "i"), "caf\xc3\xa9");
  // A NUL ends regcomp()'s pattern, not PCRE2's (found by maps_rules_fuzz).
  using namespace std::string_view_literals;
  EXPECT_EQ(lit("^(.*)@example\\.\0com$"sv, RegexDialect::kPosixExtended), "");
  EXPECT_EQ(lit("^(.*)@example\\.\0com$"sv), "");
}

TEST(MapsRequiredLiteral, MayMatch) {
  RequiredLiteral caseless{"subject:", true};
  EXPECT_TRUE(may_match(caseless, "SUBJECT: x", "subject: x"));
  EXPECT_FALSE(may_match(caseless, "From: x", "from: x"));
  RequiredLiteral exact{"Ab", false};
  EXPECT_FALSE(may_match(exact, "ab", "ab"));
  EXPECT_TRUE(may_match({}, "", ""));
}

// Tables answer as the engines alone do: negation, IF blocks and case folding included.
TEST(MapsRequiredLiteral, TablesKeepTheirAnswers) {
  for (std::string type : {"pcre", "regexp"}) {
    std::string rules =
        "if /^Subject:/\n/viagra/ REJECT spam\n!/hello/ WARN no hello\nendif\n"
        "/^From: .*@Example\\.COM$/ DISCARD\n/^To: (.*)@x\\.test$/i REDIRECT $1\n";
    std::string path = ::testing::TempDir() + "/required_literal_" + type;
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(rules.c_str(), f);
    std::fclose(f);
    auto map = open_map(type + ":" + path);
    ASSERT_TRUE(map.ok()) << map.error().message;
    auto q = [&](std::string key) {
      auto r = (*map)->lookup(key);
      EXPECT_TRUE(r.ok());
      return r.ok() && *r ? **r : std::string("-");
    };
    EXPECT_EQ(q("Subject: buy VIAGRA now"), "REJECT spam");
    EXPECT_EQ(q("SUBJECT: hello there"), "-");
    EXPECT_EQ(q("Subject: nothing"), "WARN no hello");
    EXPECT_EQ(q("Other: viagra"), "-");
    EXPECT_EQ(q("from: joe@example.com"), "DISCARD");
    EXPECT_EQ(q("To: joe@x.test"), "REDIRECT joe");
    EXPECT_EQ(q("To: joe@X.TEST"), "-");  // "i" flag: case-sensitive
  }
}
