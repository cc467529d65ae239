// The smtp agent's address order (delivery/smtp/address_order.hpp): MX preference first,
// then smtp_address_preference's family among equal preferences, smtp_randomize_addresses.
#include <gtest/gtest.h>

#include <set>

#include "delivery/smtp/address_order.hpp"

namespace correio::delivery::smtp_agent {
namespace {

std::vector<std::string> order(const std::vector<dns::MailHost>& hosts, AddressPreference p,
                               bool randomize = false, unsigned seed = 1) {
  std::mt19937 random(seed);
  std::vector<std::string> out;
  for (const auto& a : order_addresses(hosts, p, randomize, random))
    out.push_back(a.host->name + "/" + a.address);
  return out;
}

const std::vector<dns::MailHost> kHosts = {
    {"mx1", {"192.0.2.1", "2001:db8::1"}, 10},
    {"mx2", {"192.0.2.2"}, 10},
    {"mx3", {"2001:db8::3", "192.0.2.3"}, 20},
};

TEST(AddressOrder, PreferredFamilyFirstWithinEachPreference) {
  EXPECT_EQ(order(kHosts, AddressPreference::ipv6),
            (std::vector<std::string>{"mx1/2001:db8::1", "mx1/192.0.2.1", "mx2/192.0.2.2",
                                      "mx3/2001:db8::3", "mx3/192.0.2.3"}));
  EXPECT_EQ(order(kHosts, AddressPreference::ipv4),
            (std::vector<std::string>{"mx1/192.0.2.1", "mx2/192.0.2.2", "mx1/2001:db8::1",
                                      "mx3/192.0.2.3", "mx3/2001:db8::3"}));
  EXPECT_EQ(order(kHosts, AddressPreference::any),
            (std::vector<std::string>{"mx1/192.0.2.1", "mx1/2001:db8::1", "mx2/192.0.2.2",
                                      "mx3/2001:db8::3", "mx3/192.0.2.3"}));
}

TEST(AddressOrder, RandomizeShufflesOnlyAmongEqualPreferences) {
  std::set<std::string> firsts;
  for (unsigned seed = 1; seed < 40; ++seed) {
    auto got = order(kHosts, AddressPreference::any, true, seed);
    ASSERT_EQ(got.size(), 5u);
    // Preference 20 always comes last.
    EXPECT_TRUE(got[3].starts_with("mx3/") && got[4].starts_with("mx3/"));
    firsts.insert(got[0]);
    // With a family preference the family still leads after the shuffle.
    auto v6 = order(kHosts, AddressPreference::ipv6, true, seed);
    EXPECT_EQ(v6[0], "mx1/2001:db8::1");
    EXPECT_EQ(v6[3], "mx3/2001:db8::3");
  }
  EXPECT_EQ(firsts.size(), 3u);  // each of the three preference-10 addresses leads sometimes
}

TEST(AddressOrder, ParsesTheSetting) {
  EXPECT_EQ(parse_address_preference("IPv6").value(), AddressPreference::ipv6);
  EXPECT_EQ(parse_address_preference(" any ").value(), AddressPreference::any);
  EXPECT_EQ(parse_address_preference("ipv5").error().message,
            "smtp_address_preference: unknown value \"ipv5\" (ipv4, ipv6 or any)");
}

}  // namespace
}  // namespace correio::delivery::smtp_agent
