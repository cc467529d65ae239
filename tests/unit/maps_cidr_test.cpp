// cidr: tables through open_map(): IPv4 and IPv6 networks, hosts, brackets, negation
// (same family only), IF/ENDIF, keys that are not addresses, and the warnings.
#include <gtest/gtest.h>

#include "maps/map.hpp"
#include "maps_test_support.hpp"

using namespace correio::maps;
using correio::maps::testing::get;
using correio::maps::testing::TempDirTest;

namespace {

class MapsCidr : public TempDirTest {
 protected:
  std::unique_ptr<Map> open(const std::string& text) {
    MapOptions options;
    options.warn = [this](const std::string& w) { warnings_.push_back(w); };
    file_ = write("cidr", text);
    auto map = open_map("cidr:" + file_, options);
    EXPECT_TRUE(map.ok()) << map.error().message;
    return map.ok() ? std::move(*map) : nullptr;
  }
  std::string file_;
  std::vector<std::string> warnings_;
};

}  // namespace

TEST_F(MapsCidr, NetworksHostsAndNegation) {
  auto map = open(
      "192.168.1.0/24   lan\n"
      "10.0.0.1         host10\n"
      "!10.0.0.0/8      not ten\n"
      "[2001:db8::]/32  v6doc\n"
      "[::1]            v6lo\n"
      "::/0             any6\n");
  ASSERT_TRUE(map);
  EXPECT_EQ(get(*map, "192.168.1.7"), "lan");
  EXPECT_EQ(get(*map, "10.0.0.1"), "host10");
  EXPECT_EQ(get(*map, "10.9.9.9"), "(none)");
  EXPECT_EQ(get(*map, "11.0.0.1"), "not ten");
  EXPECT_EQ(get(*map, "2001:DB8::5"), "v6doc");
  EXPECT_EQ(get(*map, "::1"), "v6lo");
  EXPECT_EQ(get(*map, "::ffff:10.0.0.1"), "any6");  // an IPv6 key, as in Postfix
  EXPECT_EQ(get(*map, "junk"), "(none)");
  EXPECT_EQ(get(*map, "[::1]"), "(none)");
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(MapsCidr, IfBlocks) {
  auto map = open(
      "if 172.16.0.0/12\n172.16.5.0/24 inner\n0.0.0.0/0 in-block\nendif\n"
      "0.0.0.0/0 outside\n");
  ASSERT_TRUE(map);
  EXPECT_EQ(get(*map, "172.16.5.9"), "inner");
  EXPECT_EQ(get(*map, "172.17.0.1"), "in-block");
  EXPECT_EQ(get(*map, "8.8.8.8"), "outside");
}

TEST_F(MapsCidr, BadRulesAreWarnedAboutAndSkipped) {
  auto map = open(
      "10.1.2.3/8 bits\nbad/99 x\nbad/24 x\n1.2.3 x\n[1.2.3.4 x\n1.2.3.0/ x\n"
      "1.1.1.1\nendif\nENDIF junk\n1.2.3.4 ok\nif 9.0.0.0/8\n");
  ASSERT_TRUE(map);
  EXPECT_EQ(get(*map, "1.2.3.4"), "ok");
  std::string p = "cidr map " + file_ + ", line ";
  std::vector<std::string> expected = {
      p + "1: non-null host address bits in \"10.1.2.3/8\", perhaps you should use "
          "\"10.0.0.0/8\" instead: skipping this rule",
      p + "2: bad mask length in \"bad/99\": skipping this rule",
      p + "3: bad network value in \"bad/24\": skipping this rule",
      p + "4: bad address pattern: \"1.2.3\": skipping this rule",
      p + "5: missing ']' character after \"[1.2.3.4\": skipping this rule",
      p + "6: bad mask value in \"1.2.3.0/\": skipping this rule",
      p + "7: no lookup result: skipping this rule",
      p + "8: ENDIF without IF: skipping this rule",
      p + "9: garbage after ENDIF: skipping this rule",
      p + "11: IF has no matching ENDIF",
  };
  EXPECT_EQ(warnings_, expected);
}
