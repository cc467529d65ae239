// Mail loop detection of the smtp agent (Postfix's smtp_find_self/smtp_truncate_self, and
// the EHLO check of smtp_helo()).
#include <gtest/gtest.h>

#include "delivery/smtp/mail_loop.hpp"

namespace correio::delivery::smtp_agent {
namespace {

dns::MailHosts mx(std::vector<dns::MailHost> hosts) {
  dns::MailHosts out;
  out.outcome = dns::Outcome::found;
  out.via_mx = true;
  out.hosts = std::move(hosts);
  return out;
}

const std::set<std::string> kOwn = {"192.0.2.1", "2001:db8::1"};

TEST(MailLoop, OtherHostsAreLeftAlone) {
  auto hosts = mx({{"mx1.example", {"198.51.100.1"}, 10}, {"mx2.example", {"198.51.100.2"}, 20}});
  EXPECT_FALSE(drop_own_hosts(hosts, kOwn, "example.com"));
  EXPECT_EQ(hosts.hosts.size(), 2u);
}

TEST(MailLoop, BackupMxKeepsOnlyTheMorePreferredHosts) {
  auto hosts = mx({{"mx1.example", {"198.51.100.1"}, 10},
                   {"me.example", {"198.51.100.9", "2001:db8::1"}, 20},
                   {"peer.example", {"198.51.100.3"}, 20},
                   {"mx3.example", {"198.51.100.4"}, 30}});
  EXPECT_FALSE(drop_own_hosts(hosts, kOwn, "example.com"));
  ASSERT_EQ(hosts.hosts.size(), 1u);  // equal preference goes too, as Postfix's
  EXPECT_EQ(hosts.hosts[0].name, "mx1.example");
}

TEST(MailLoop, BestMxIsThisHost) {
  auto hosts = mx({{"me.example", {"192.0.2.1"}, 10}, {"mx2.example", {"198.51.100.2"}, 20}});
  auto loop = drop_own_hosts(hosts, kOwn, "example.com");
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->verdict, smtp::Verdict::bounced);
  EXPECT_EQ(loop->dsn, "5.4.6");
  EXPECT_EQ(loop->text, "mail for example.com loops back to myself");
}

TEST(MailLoop, HostWithoutMxThatIsThisHost) {
  dns::MailHosts hosts;
  hosts.outcome = dns::Outcome::found;
  hosts.hosts = {{"relay.example", {"198.51.100.7", "192.0.2.1"}, 0}};
  auto loop = drop_own_hosts(hosts, kOwn, "relay.example");
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->dsn, "5.4.6");
}

TEST(MailLoop, EhloNamingThisHost) {
  EXPECT_FALSE(ehlo_names_this_host("mx.other.example", "mail.example.com", "x.test", true));
  EXPECT_FALSE(ehlo_names_this_host("mail.example.com", "", "x.test", true));
  auto best = ehlo_names_this_host("MAIL.example.com", "mail.example.com", "x.test", true);
  ASSERT_TRUE(best);
  EXPECT_EQ(best->verdict, smtp::Verdict::bounced);
  EXPECT_EQ(best->dsn, "5.4.6");
  auto backup = ehlo_names_this_host("mail.example.com", "mail.example.com", "x.test", false);
  ASSERT_TRUE(backup);
  EXPECT_EQ(backup->verdict, smtp::Verdict::deferred);
  EXPECT_EQ(backup->dsn, "4.4.6");
  EXPECT_EQ(backup->text, "mail for x.test loops back to myself");
}

}  // namespace
}  // namespace correio::delivery::smtp_agent
