// The source-file syntax postmap, postalias and texthash: read: comments, continuation
// lines, case folding, bad lines and duplicates.
#include <gtest/gtest.h>

#include "maps/source_file.hpp"

using namespace correio::maps;

TEST(MapsSource, PostmapSyntax) {
  auto p = parse_source(
      "# comment\n\nAlice@Example.COM  alice@other.example  \n"
      "bob\tbob@x\n  continued here\n   # indented comment\nnovalue\n",
      "virtual", SourceSyntax::kPostmap);
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries[0].key, "alice@example.com");
  EXPECT_EQ(p.entries[0].value, "alice@other.example");
  EXPECT_EQ(p.entries[0].line, 3);
  // readllines() keeps the continuation line's leading whitespace.
  EXPECT_EQ(p.entries[1].value, "bob@x  continued here");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0], "virtual, line 7: expected format: key whitespace value");
}

TEST(MapsSource, AliasesSyntax) {
  auto p = parse_source(
      "postmaster: root\nRoot : bob, carol,\n\tdave\n\"with space\": x\n"
      "list: :include:/etc/list, |\"/bin/prog arg\"\nbroken line\nempty:\r\n",
      "aliases", SourceSyntax::kAliases);
  ASSERT_EQ(p.entries.size(), 4u);
  EXPECT_EQ(p.entries[1].key, "root");
  EXPECT_EQ(p.entries[1].value, "bob, carol, dave");
  EXPECT_EQ(p.entries[2].key, "with space");
  EXPECT_EQ(p.entries[3].value, ":include:/etc/list, |\"/bin/prog arg\"");
  ASSERT_EQ(p.warnings.size(), 2u);
  EXPECT_EQ(p.warnings[0], "aliases, line 6: need name:value pair");
  EXPECT_EQ(p.warnings[1], "aliases, line 7: need name:value pair");
}

TEST(MapsSource, DuplicatesKeepTheFirstAndCaseCanBeKept) {
  auto p = parse_source("a 1\nA 2\n", "t", SourceSyntax::kPostmap);
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(p.entries[0].value, "1");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0], "t, line 2: duplicate entry: \"a\"");
  auto kept = parse_source("a 1\nA 2\n", "t", SourceSyntax::kPostmap, /*fold_case=*/false);
  EXPECT_EQ(kept.entries.size(), 2u);
}

TEST(MapsSource, MissingFileIsAnError) {
  auto r = read_source("/nonexistent/correio/x", SourceSyntax::kPostmap);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "open /nonexistent/correio/x: No such file or directory");
}

// postmap(1) 3.7: continuation lines keep their whitespace; quoted keys keep their
// quotes; with UTF-8 on, non-UTF-8 lines are skipped and keys get Unicode folding.
TEST(MapsSource, Postfix37Syntax) {
  auto p = parse_source("a  one  \n   two\n\"q k\" v\n\"open v\nÄB x\nb\xff y\n", "t",
                        SourceSyntax::kPostmap, true, Duplicates::kWarn, true);
  ASSERT_EQ(p.entries.size(), 3u);
  EXPECT_EQ(p.entries[0].value, "one     two");
  EXPECT_EQ(p.entries[1].key, "\"q k\"");
  EXPECT_EQ(p.entries[2].key, "äb");
  ASSERT_EQ(p.warnings.size(), 2u);
  EXPECT_EQ(p.warnings[0], "t, line 4: unbalanced '\"' in '\"open v' -- ignoring this line");
  EXPECT_EQ(p.warnings[1], "t, line 6: non-UTF-8 input \"b? y\" -- ignoring this line");
}

TEST(MapsSource, AliasValuesAsPostaliasStoresThem) {
  auto p = parse_source("a: b ,  c\nb: x   y\nc: \\\\user, Name <n@x>\n", "aliases",
                        SourceSyntax::kAliases);
  ASSERT_EQ(p.entries.size(), 3u);
  EXPECT_EQ(p.entries[0].value, "b, c");
  EXPECT_EQ(p.entries[1].value, "x y");
  EXPECT_EQ(p.entries[2].value, "\"\\\\user\", Name <n@x>");
}
