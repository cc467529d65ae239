// maps::NetworkList: Postfix's network match list with tables, pattern files and negation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "maps/network_list.hpp"

namespace correio::maps {
namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  std::string path = testing::TempDir() + name + "-" + std::to_string(::getpid());
  std::ofstream(path) << text;
  return path;
}

TEST(NetworkList, TablesAreLookedUpWithTheAddress) {
  std::string cidr = temp_file("nets.cidr", "192.0.2.0/24 OK\n[2001:db8::]/32 whatever\n");
  auto list = NetworkList::parse("127.0.0.0/8 cidr:" + cidr);
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_TRUE(list->contains("127.0.0.1"));
  EXPECT_TRUE(list->contains("192.0.2.200"));  // the value is ignored
  EXPECT_TRUE(list->contains("2001:db8::1"));
  EXPECT_TRUE(list->contains("[2001:db8::1]"));
  EXPECT_FALSE(list->contains("198.51.100.1"));
  auto inline_table = NetworkList::parse("inline:{ 203.0.113.5=yes }");
  ASSERT_TRUE(inline_table.ok()) << inline_table.error().message;
  EXPECT_TRUE(inline_table->contains("203.0.113.5"));
  EXPECT_FALSE(inline_table->contains("203.0.113.6"));
  std::remove(cidr.c_str());
}

TEST(NetworkList, FirstMatchWinsAndNegationExcludes) {
  auto list = NetworkList::parse("!192.0.2.7 192.0.2.0/24, !10.0.0.0/8 0.0.0.0/0");
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_FALSE(list->contains("192.0.2.7"));
  EXPECT_TRUE(list->contains("192.0.2.8"));
  EXPECT_FALSE(list->contains("10.1.2.3"));
  EXPECT_TRUE(list->contains("198.51.100.1"));
  auto negated_table = NetworkList::parse("!inline:{ 192.0.2.1=x } 192.0.2.0/24");
  ASSERT_TRUE(negated_table.ok()) << negated_table.error().message;
  EXPECT_FALSE(negated_table->contains("192.0.2.1"));
  EXPECT_TRUE(negated_table->contains("192.0.2.2"));
}

TEST(NetworkList, ErrorsNameFileAndLine) {
  std::string file = temp_file("nets.list", "# ours\n192.0.2.0/24\n\n10.0.0.0/33 # typo\n");
  auto list = NetworkList::parse("127.0.0.1 " + file);
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().message, file + ", line 4: bad network prefix: 10.0.0.0/33");
  std::remove(file.c_str());
  EXPECT_FALSE(NetworkList::parse("mail.example.com").ok());  // no host names
  EXPECT_FALSE(NetworkList::parse("!").ok());
  EXPECT_FALSE(NetworkList::parse("!!10.0.0.1").ok());
  EXPECT_FALSE(NetworkList::parse("nosuchtype:/etc/x").ok());
  EXPECT_TRUE(NetworkList::parse("abcd::/16").ok());  // an IPv6 network, not a table
  EXPECT_TRUE(NetworkList::parse("").ok());
}

}  // namespace
}  // namespace correio::maps
