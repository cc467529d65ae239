// mynetworks-style CIDR lists.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "smtpd/client_networks.hpp"

namespace correio::smtpd {
namespace {

TEST(ClientNetworks, MatchesIpv4AndIpv6Prefixes) {
  auto nets = ClientNetworks::parse("127.0.0.0/8, [::1]/128 192.168.10.0/24 10.1.2.3");
  ASSERT_TRUE(nets.ok());
  EXPECT_TRUE(nets->contains("127.0.0.1"));
  EXPECT_TRUE(nets->contains("127.255.1.2"));
  EXPECT_TRUE(nets->contains("::1"));
  EXPECT_TRUE(nets->contains("::ffff:127.0.0.1"));
  EXPECT_TRUE(nets->contains("192.168.10.200"));
  EXPECT_FALSE(nets->contains("192.168.11.1"));
  EXPECT_TRUE(nets->contains("10.1.2.3"));
  EXPECT_FALSE(nets->contains("10.1.2.4"));
  EXPECT_FALSE(nets->contains("::2"));
  EXPECT_FALSE(nets->contains("not-an-address"));
}

TEST(ClientNetworks, OddPrefixLengths) {
  auto nets = ClientNetworks::parse("10.0.0.0/9");
  ASSERT_TRUE(nets.ok());
  EXPECT_TRUE(nets->contains("10.127.0.1"));
  EXPECT_FALSE(nets->contains("10.128.0.1"));
}

TEST(ClientNetworks, Errors) {
  EXPECT_FALSE(ClientNetworks::parse("10.0.0.0/33").ok());
  EXPECT_FALSE(ClientNetworks::parse("300.1.1.1").ok());
  EXPECT_FALSE(ClientNetworks::parse("example.com").ok());
  EXPECT_FALSE(ClientNetworks::parse("[::1]/129").ok());
}

TEST(ClientNetworks, FilesAreReadAndMissingTablesRefused) {
  std::string path = testing::TempDir() + "client-networks-" + std::to_string(::getpid());
  std::ofstream(path) << "# trusted\n192.0.2.0/24, [2001:db8::]/32 # lab\n";
  auto nets = ClientNetworks::parse("127.0.0.1 " + path);
  ASSERT_TRUE(nets.ok()) << nets.error().message;
  EXPECT_TRUE(nets->contains("192.0.2.77"));
  EXPECT_TRUE(nets->contains("2001:db8::5"));
  EXPECT_FALSE(nets->contains("198.51.100.1"));
  std::remove(path.c_str());
  auto missing = ClientNetworks::parse(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message.rfind("open " + path + ": ", 0), 0u);
  auto table = ClientNetworks::parse("127.0.0.1 cidr:/nonexistent/postfix/nets");
  ASSERT_FALSE(table.ok());  // tables are opened at once: a missing one is found at start
  EXPECT_EQ(table.error().message.rfind("cidr:/nonexistent/postfix/nets: ", 0), 0u)
      << table.error().message;
  EXPECT_TRUE(ClientNetworks::parse("fe80::/10").ok());
}

}  // namespace
}  // namespace correio::smtpd
