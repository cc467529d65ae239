// hash:/lmdb: lookups through the kept read transaction and one cursor descent: keys
// stored with a trailing NUL (postmap -N) and without, neighbours that share a prefix,
// and the transaction renewed once a second while the file stays the same.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "maps/lmdb_map.hpp"
#include "maps/map.hpp"
#include "maps_test_support.hpp"

using namespace correio::maps;
using correio::maps::testing::get;
using correio::maps::testing::TempDirTest;

class MapsLmdbLookup : public TempDirTest {};

TEST_F(MapsLmdbLookup, KeysWithAndWithoutTrailingNul) {
  std::string name = (root_ / "t").string();
  using namespace std::string_literals;
  ASSERT_TRUE(build_lmdb(lmdb_file(name), {{"plain", "v1"},
                                           {"nul\0"s, "v2\0"s},
                                           {"both", "without"},
                                           {"both\0"s, "with"},
                                           {"both\x01"s, "other"},
                                           {"a", "first"}})
                  .ok());
  auto map = open_map("hash:" + name);
  ASSERT_TRUE(map.ok()) << map.error().message;
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(get(**map, "plain"), "v1");
    EXPECT_EQ(get(**map, "PLAIN"), "v1");
    EXPECT_EQ(get(**map, "nul"), "v2");
    EXPECT_EQ(get(**map, "nu"), "(none)");  // the next key is "nul\0": no match
    EXPECT_EQ(get(**map, "plai"), "(none)");
    EXPECT_EQ(get(**map, "plainx"), "(none)");
    EXPECT_EQ(get(**map, "both"), "without");  // as before: the key without NUL first
    EXPECT_EQ(get(**map, "a"), "first");
    EXPECT_EQ(get(**map, "0"), "(none)");    // before the first key
    EXPECT_EQ(get(**map, "zzz"), "(none)");  // after the last key
    // Past the once-a-second look at the file: the same file, a renewed transaction.
    if (round == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
}
