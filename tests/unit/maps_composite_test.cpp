// unionmap:{...}, pipemap:{...} and the proxy: prefix through open_map().
#include <gtest/gtest.h>

#include "maps/map.hpp"
#include "maps_test_support.hpp"

using namespace correio::maps;
using correio::maps::testing::get;
using correio::maps::testing::TempDirTest;

class MapsComposite : public TempDirTest {};

TEST_F(MapsComposite, UnionJoinsEveryValueFound) {
  auto map = open_map("unionmap:{inline:{a=1, b=2}, static:s, inline:{a=3}}");
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(get(**map, "a"), "1,s,3");
  EXPECT_EQ(get(**map, "b"), "2,s");
  auto none = open_map("unionmap:{inline:{a=1}, inline:{b=2}}");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(get(**none, "c"), "(none)");
}

TEST_F(MapsComposite, PipeFeedsEachValueToTheNextTable) {
  std::string re = write("re", "/^(.*)@example\\.com$/ $1\n");
  auto map = open_map("pipemap:{regexp:" + re + ", inline:{joe=joe@elsewhere.org}}");
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(get(**map, "joe@example.com"), "joe@elsewhere.org");
  EXPECT_EQ(get(**map, "ann@example.com"), "(none)");
  EXPECT_EQ(get(**map, "joe@other.com"), "(none)");
}

TEST_F(MapsComposite, ProxyIsTransparentAndBadListsFail) {
  auto map = open_map("proxy:inline:{k=v}");
  ASSERT_TRUE(map.ok()) << map.error().message;
  EXPECT_EQ(get(**map, "k"), "v");
  EXPECT_FALSE(open_map("unionmap:inline:{a=1}").ok());
  EXPECT_FALSE(open_map("pipemap:{}").ok());
  EXPECT_FALSE(open_map("unionmap:{nosuch:x}").ok());
}
