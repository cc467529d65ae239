// Every table type through open_map(): texthash, hash/lmdb (built by build_lmdb),
// inline, static; map lists; address lookups; atomic replacement under a reader.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "maps/lmdb_map.hpp"
#include "maps/map.hpp"
#include "maps_test_support.hpp"

using namespace correio::maps;
using correio::maps::testing::get;
using correio::maps::testing::TempDirTest;

class MapsTable : public TempDirTest {};

TEST_F(MapsTable, TexthashReadsTheSourceAndWarns) {
  std::string file = write("virtual", "a@x.org b@y.org \nBAD\nC@X.org\tc@z.org\n");
  std::vector<std::string> warnings;
  MapOptions options;
  options.warn = [&](const std::string& w) { warnings.push_back(w); };
  auto map = open_map("texthash:" + file, options);
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(get(**map, "A@X.ORG"), "b@y.org");
  EXPECT_EQ(get(**map, "c@x.org"), "c@z.org");
  EXPECT_EQ(get(**map, "nobody"), "(none)");
  EXPECT_EQ((*map)->spec(), "texthash:" + file);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            file + ", line 2: expected format: key whitespace value -- ignoring this line");
  EXPECT_EQ((*map)->entries()->size(), 2u);
}

TEST_F(MapsTable, TexthashAliasSyntax) {
  std::string file = write("aliases", "root: bob, carol\n");
  MapOptions aliases;
  aliases.syntax = SourceSyntax::kAliases;
  auto map = open_map("texthash:" + file, aliases);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(get(**map, "Root"), "bob, carol");
}

TEST_F(MapsTable, LmdbRoundTripForHashAndLmdb) {
  std::string name = (root_ / "access").string();
  ASSERT_TRUE(build_lmdb(lmdb_file(name), {{"a", "1"}, {"b.example", "REJECT go away"}}).ok());
  for (std::string type : {"hash:", "lmdb:"}) {
    auto map = open_map(type + name);
    ASSERT_TRUE(map.ok()) << map.error().message;
    EXPECT_EQ(get(**map, "B.Example"), "REJECT go away");
    EXPECT_EQ(get(**map, "zzz"), "(none)");
  }
  auto all = read_lmdb(lmdb_file(name));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].second, "REJECT go away");
  EXPECT_FALSE(std::filesystem::exists(lmdb_file(name) + "-lock"));
}

TEST_F(MapsTable, MissingDatabaseIsAnError) {
  auto map = open_map("hash:" + (root_ / "nothere").string());
  ASSERT_FALSE(map.ok());
  EXPECT_EQ(map.error().message,
            "open database " + (root_ / "nothere.lmdb").string() + ": No such file or directory");
}

TEST_F(MapsTable, AtomicReplaceWhileAReaderHoldsItOpen) {
  std::string name = (root_ / "t").string();
  ASSERT_TRUE(build_lmdb(lmdb_file(name), {{"k", "old"}}).ok());
  auto reader = open_map("lmdb:" + name);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(get(**reader, "k"), "old");
  ASSERT_TRUE(build_lmdb(lmdb_file(name), {{"k", "new"}, {"j", "2"}}).ok());
  // The reader looks at the path once a second (no system call per lookup).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(get(**reader, "k"), "new");  // the reader notices the rename
  EXPECT_EQ(get(**reader, "j"), "2");
  for (const auto& e : std::filesystem::directory_iterator(root_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST_F(MapsTable, BuildRejectsEmptyKeysAndLeavesNoTempFile) {
  std::string db = lmdb_file((root_ / "bad").string());
  EXPECT_FALSE(build_lmdb(db, {{"", "x"}}).ok());
  EXPECT_FALSE(std::filesystem::exists(db));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(root_), {}), 0);
}

TEST_F(MapsTable, InlineAndStatic) {
  auto map = open_map("inline:{ Key1=v1, key2=v2 , { key3 = text, with comma } }");
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(get(**map, "key1"), "v1");
  EXPECT_EQ(get(**map, "key2"), "v2");
  EXPECT_EQ(get(**map, "KEY3"), "text, with comma");
  EXPECT_FALSE(open_map("inline:a=b").ok());
  EXPECT_FALSE(open_map("inline:{ novalue }").ok());
  EXPECT_FALSE(open_map("inline:{ a=1, a=2 }").ok());
  EXPECT_FALSE(open_map("inline:{ a = 1 }").ok()) << "spaces need braces";

  auto s = open_map("static:OK");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(get(**s, "anything"), "OK");
  auto spaced = open_map("static:{ text with spaces }");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(get(**spaced, "x"), "text with spaces");
  EXPECT_FALSE((*s)->entries().ok());
  EXPECT_FALSE(open_map("static:{ open").ok());
}

TEST_F(MapsTable, BadSpecs) {
  EXPECT_EQ(open_map("nocolon").error().message, "nocolon: need dictionary type:name");
  EXPECT_EQ(open_map("btree:/x").error().message, "unsupported dictionary type: btree");
  EXPECT_FALSE(open_map("hash:").ok());
}

TEST_F(MapsTable, ListsSearchInOrder) {
  EXPECT_EQ(split_map_list("hash:/a, texthash:/b inline:{ x=1, y=2 },static:{ a b }"),
            (std::vector<std::string>{"hash:/a", "texthash:/b", "inline:{ x=1, y=2 }",
                                      "static:{ a b }"}));
  auto list = open_maps("inline:{ a=first }, inline:{ a=second, b=2 }");
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ((*list)->size(), 2u);
  EXPECT_EQ(get(**list, "a"), "first");
  EXPECT_EQ(get(**list, "b"), "2");
  EXPECT_EQ(get(**list, "c"), "(none)");
  auto empty = open_maps("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(get(**empty, "a"), "(none)");
  EXPECT_FALSE(open_maps("inline:{ a=1 }, hash:/nonexistent/x").ok());
}

TEST_F(MapsTable, AddressLookupOrder) {
  auto map = open_map("inline:{ user@d.org=exact, user=local, @d.org=catchall, other=o }");
  ASSERT_TRUE(map.ok());
  auto find = [&](std::string_view a, std::string_view delim, AddressForm form) {
    auto r = lookup_address(**map, a, delim, form);
    EXPECT_TRUE(r.ok());
    return *r ? (*r)->value + "/" + (*r)->key : std::string("(none)");
  };
  EXPECT_EQ(find("user@d.org", "+", AddressForm::kFull), "exact/user@d.org");
  EXPECT_EQ(find("user+ext@d.org", "+", AddressForm::kFull), "exact/user@d.org");
  EXPECT_EQ(find("user+ext@d.org", "", AddressForm::kFull), "catchall/@d.org");
  EXPECT_EQ(find("x@d.org", "+-", AddressForm::kFull), "catchall/@d.org");
  EXPECT_EQ(find("x@e.org", "+", AddressForm::kFull), "(none)");
  EXPECT_EQ(find("user-ext@e.org", "+-", AddressForm::kLocalPart), "local/user");
  EXPECT_EQ(find("+other@e.org", "+", AddressForm::kLocalPart), "(none)");
  EXPECT_EQ(find("other", "+", AddressForm::kLocalPart), "o/other");
}

// mail_addr_find(3) for a local domain: user+ext@domain, user@domain, user+ext, user,
// @domain; the match says which extension was left unmatched and whether "@domain" hit.
TEST_F(MapsTable, AddressLookupOrderForALocalDomain) {
  auto map = open_map("inline:{ user=local, @d.org=catchall, u+x=withext }");
  ASSERT_TRUE(map.ok());
  auto r = lookup_address(**map, "user+ext@d.org", "+", AddressForm::kLocalDomain);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ((*r)->key, "user");
  EXPECT_EQ((*r)->extension, "+ext");
  EXPECT_FALSE((*r)->catch_all);
  r = lookup_address(**map, "u+x@d.org", "+", AddressForm::kLocalDomain);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ((*r)->key, "u+x");
  EXPECT_EQ((*r)->extension, "");
  r = lookup_address(**map, "user+ext@d.org", "+", AddressForm::kFull);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ((*r)->key, "@d.org");
  EXPECT_TRUE((*r)->catch_all);
}

// Postfix's DICT_FLAG_PATTERN: regexp:, pcre: and cidr: tables (and unionmap:/pipemap:
// whose first table is one) see the whole address only, never user@domain without the
// extension, the bare local part or @domain; in a list the fixed tables still do.
TEST_F(MapsTable, PatternTablesSeeTheWholeAddressOnly) {
  std::string re = write("re",
                         "/^user@d\\.org$/ stripped\n/^@d\\.org$/ domain\n"
                         "/^user$/ bare\n/^x\\+y@d\\.org$/ whole\n");
  for (std::string type : {"regexp:", "pcre:"}) {
    auto map = open_map(type + re);
    ASSERT_TRUE(map.ok()) << map.error().message;
    EXPECT_FALSE((*map)->fixed_keys());
    for (auto form : {AddressForm::kFull, AddressForm::kLocalDomain}) {
      auto r = lookup_address(**map, "user+ext@d.org", "+", form);
      ASSERT_TRUE(r.ok());
      EXPECT_FALSE(r->has_value()) << type << (*r)->key;
      r = lookup_address(**map, "x+y@d.org", "+", form);
      ASSERT_TRUE(r.ok() && *r);
      EXPECT_EQ((*r)->value, "whole");
    }
    // The whole address matches as itself; without a domain, the address is whole too.
    auto r = lookup_address(**map, "user@d.org", "+", AddressForm::kFull);
    ASSERT_TRUE(r.ok() && *r);
    EXPECT_EQ((*r)->value, "stripped");
    r = lookup_address(**map, "user", "+", AddressForm::kFull);
    ASSERT_TRUE(r.ok() && *r);
    EXPECT_EQ((*r)->value, "bare");
    // local(8)'s alias lookups ask every table with both local parts.
    r = lookup_address(**map, "user+ext@e.org", "+", AddressForm::kLocalPart);
    ASSERT_TRUE(r.ok() && *r);
    EXPECT_EQ((*r)->value, "bare");
  }
  auto list = open_maps("regexp:" + re + ", inline:{ @d.org=fixed }");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE((*list)->fixed_keys());
  auto r = lookup_address(**list, "user+ext@d.org", "+", AddressForm::kFull);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ((*r)->value, "fixed");

  std::string nets = write("nets", "10.0.0.0/8 net\n");
  auto cidr = open_map("cidr:" + nets);
  ASSERT_TRUE(cidr.ok());
  EXPECT_FALSE((*cidr)->fixed_keys());
  EXPECT_EQ(get(**cidr, "10.1.2.3"), "net");
  auto partial = (*cidr)->lookup_partial("10.1.2.3");
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());

  // "The first table determines the pattern-matching flags" (dict_union.c, dict_pipe.c).
  auto u1 = open_map("unionmap:{regexp:" + re + ", inline:{a=b}}");
  auto u2 = open_map("unionmap:{inline:{a=b}, regexp:" + re + "}");
  auto p1 = open_map("pipemap:{pcre:" + re + ", inline:{a=b}}");
  ASSERT_TRUE(u1.ok() && u2.ok() && p1.ok());
  EXPECT_FALSE((*u1)->fixed_keys());
  EXPECT_TRUE((*u2)->fixed_keys());
  EXPECT_FALSE((*p1)->fixed_keys());
  EXPECT_TRUE((*open_map("static:x"))->fixed_keys());
}
