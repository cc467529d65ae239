// Duplicate keys in a lookup table's source: warned and first kept (Postfix's default),
// first kept silently (postmap -w), last kept silently (postmap -r).
#include <gtest/gtest.h>

#include "maps/source_file.hpp"

namespace correio::maps {
namespace {

constexpr std::string_view kText = "a 1\nB 2\nA 3\nb 4\nc 5\n";

std::string values(const ParsedSource& p) {
  std::string out;
  for (const auto& e : p.entries) out += e.key + "=" + e.value + " ";
  return out;
}

TEST(MapsSourceDuplicates, WarnKeepsTheFirst) {
  auto p = parse_source(kText, "t", SourceSyntax::kPostmap);
  EXPECT_EQ(values(p), "a=1 b=2 c=5 ");
  EXPECT_EQ(p.warnings, (std::vector<std::string>{"t, line 3: duplicate entry: \"a\"",
                                                  "t, line 4: duplicate entry: \"b\""}));
}

TEST(MapsSourceDuplicates, IgnoreKeepsTheFirstSilently) {
  auto p = parse_source(kText, "t", SourceSyntax::kPostmap, true, Duplicates::kIgnore);
  EXPECT_EQ(values(p), "a=1 b=2 c=5 ");
  EXPECT_TRUE(p.warnings.empty());
}

TEST(MapsSourceDuplicates, ReplaceKeepsTheLastInFirstPlace) {
  auto p = parse_source(kText, "t", SourceSyntax::kPostmap, true, Duplicates::kReplace);
  EXPECT_EQ(values(p), "a=3 b=4 c=5 ");
  EXPECT_TRUE(p.warnings.empty());
  // Without case folding "B" and "b" are different keys.
  auto q = parse_source(kText, "t", SourceSyntax::kPostmap, false, Duplicates::kReplace);
  EXPECT_EQ(values(q), "a=1 B=2 A=3 b=4 c=5 ");
}

}  // namespace
}  // namespace correio::maps
