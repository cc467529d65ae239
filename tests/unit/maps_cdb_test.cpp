// cdb: tables: build_cdb() and open_map() round trip, case folding, keys stored with a
// trailing NUL (Postfix's postmap -N), replacement under an open reader, bad files.
#include <gtest/gtest.h>

#include "maps/cdb_map.hpp"
#include "maps/map.hpp"
#include "maps_test_support.hpp"

using namespace correio::maps;
using correio::maps::testing::get;
using correio::maps::testing::TempDirTest;

class MapsCdb : public TempDirTest {};

TEST_F(MapsCdb, RoundTripAndNulKeys) {
  std::string name = (root_ / "transport").string();
  ASSERT_TRUE(build_cdb(cdb_file(name), {{"example.com", "smtp:[relay]"},
                                         {std::string("nul.org\0", 8), std::string("v\0", 2)}})
                  .ok());
  auto map = open_map("cdb:" + name);
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(get(**map, "EXAMPLE.com"), "smtp:[relay]");
  EXPECT_EQ(get(**map, "nul.org"), "v");
  EXPECT_EQ(get(**map, "other"), "(none)");
  auto all = (*map)->entries();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(read_cdb(cdb_file(name))->at(0).first, "example.com");
}

TEST_F(MapsCdb, ReaderSeesTheRebuiltFile) {
  std::string name = (root_ / "t").string();
  ASSERT_TRUE(build_cdb(cdb_file(name), {{"k", "old"}}).ok());
  auto map = open_map("cdb:" + name);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(get(**map, "k"), "old");
  ASSERT_TRUE(build_cdb(cdb_file(name), {{"k", "new"}}).ok());
  EXPECT_EQ(get(**map, "k"), "new");
}

TEST_F(MapsCdb, MissingAndBadFiles) {
  auto missing = open_map("cdb:" + (root_ / "absent").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
  write("bad.cdb", "not a cdb");
  EXPECT_FALSE(open_map("cdb:" + (root_ / "bad").string()).ok());
  EXPECT_FALSE(build_cdb(cdb_file((root_ / "e").string()), {{"", "v"}}).ok());
}
