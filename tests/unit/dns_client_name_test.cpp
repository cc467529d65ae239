// The pure steps of client name verification (the lookups themselves are exercised with a
// real dnsmasq in tests/integration/test_reverse_dns.py).
#include <gtest/gtest.h>

#include "dns/name_checks.hpp"

namespace correio::dns {
namespace {

TEST(ValidHostname, AcceptsOrdinaryNames) {
  EXPECT_TRUE(valid_hostname("mail.example.com"));
  EXPECT_TRUE(valid_hostname("mail.example.com."));
  EXPECT_TRUE(valid_hostname("a-b.c_d.example"));
  EXPECT_TRUE(valid_hostname("localhost"));
  EXPECT_TRUE(valid_hostname("1host.example"));
}

TEST(ValidHostname, RefusesNumericAndMalformedNames) {
  EXPECT_FALSE(valid_hostname(""));
  EXPECT_FALSE(valid_hostname("192.0.2.1"));  // a PTR forging an address
  EXPECT_FALSE(valid_hostname("a..b"));
  EXPECT_FALSE(valid_hostname(".a"));
  EXPECT_FALSE(valid_hostname("-a.example"));
  EXPECT_FALSE(valid_hostname("a-.example"));
  EXPECT_FALSE(valid_hostname("a b.example"));
  EXPECT_FALSE(valid_hostname("a\n.example"));
  EXPECT_FALSE(valid_hostname(std::string(64, 'a') + ".example"));
  EXPECT_FALSE(valid_hostname(std::string(300, 'a')));
}

TEST(AddressListed, ComparesBinaryForms) {
  EXPECT_TRUE(address_listed("192.0.2.1", {"198.51.100.1", "192.0.2.1"}));
  EXPECT_FALSE(address_listed("192.0.2.1", {"192.0.2.10"}));
  EXPECT_TRUE(address_listed("2001:db8::1", {"2001:0db8:0:0::1"}));
  EXPECT_FALSE(address_listed("2001:db8::1", {"192.0.2.1", "junk"}));
  EXPECT_FALSE(address_listed("junk", {"junk"}));
}

}  // namespace
}  // namespace correio::dns
