// The smtp agent's nexthop syntax (delivery/smtp/nexthop.hpp) and the MX order of
// RFC 5321 §5.1 (dns/mail_exchangers.hpp).
#include <gtest/gtest.h>

#include <random>

#include "delivery/smtp/nexthop.hpp"
#include "dns/mail_exchangers.hpp"

namespace correio::delivery::smtp_agent {
namespace {

TEST(SmtpAgentNexthop, Forms) {
  auto domain = parse_nexthop("example.com");
  ASSERT_TRUE(domain.ok());
  EXPECT_EQ(domain->host, "example.com");
  EXPECT_EQ(domain->port, 25);
  EXPECT_TRUE(domain->use_mx);

  auto bracketed = parse_nexthop("[smtp.example.com]:587");
  ASSERT_TRUE(bracketed.ok());
  EXPECT_EQ(bracketed->host, "smtp.example.com");
  EXPECT_EQ(bracketed->port, 587);
  EXPECT_FALSE(bracketed->use_mx);

  auto v6 = parse_nexthop("[IPv6:2001:db8::1]:2525");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_EQ(v6->port, 2525);

  auto port = parse_nexthop("relay.example:2525");
  ASSERT_TRUE(port.ok());
  EXPECT_TRUE(port->use_mx);
  EXPECT_EQ(port->port, 2525);
}

TEST(SmtpAgentNexthop, Errors) {
  for (const char* bad : {"", "[x", "[x]y", "x:0", "x:65536", "x:smtpish", "[]:25"})
    EXPECT_FALSE(parse_nexthop(bad).ok()) << bad;
}

// lmtp(8)'s destinations: unix:PATH, inet:host[:port], inet:[addr][:port], or no prefix;
// never an MX lookup, port lmtp_tcp_port unless given.
TEST(SmtpAgentNexthop, LmtpForms) {
  auto unix_socket = parse_lmtp_nexthop("unix:private/dovecot-lmtp");
  ASSERT_TRUE(unix_socket.ok());
  EXPECT_EQ(unix_socket->unix_path, "private/dovecot-lmtp");
  EXPECT_FALSE(unix_socket->use_mx);

  auto inet = parse_lmtp_nexthop("inet:mail.example:2424");
  ASSERT_TRUE(inet.ok());
  EXPECT_EQ(inet->host, "mail.example");
  EXPECT_EQ(inet->port, 2424);
  EXPECT_FALSE(inet->use_mx);
  EXPECT_TRUE(inet->unix_path.empty());

  auto bracketed = parse_lmtp_nexthop("inet:[192.0.2.1]");
  ASSERT_TRUE(bracketed.ok());
  EXPECT_EQ(bracketed->host, "192.0.2.1");
  EXPECT_EQ(bracketed->port, 24);

  auto bare = parse_lmtp_nexthop("[127.0.0.1]:2003", 2003);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 2003);
  auto plain = parse_lmtp_nexthop("lmtp.example");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->use_mx);
  EXPECT_EQ(plain->port, 24);

  for (const char* bad : {"unix:", "inet:", "inet:[x", "inet:x:99999"})
    EXPECT_FALSE(parse_lmtp_nexthop(bad).ok()) << bad;
}

TEST(SmtpAgentNexthop, MxOrderByPreferenceRandomAmongEquals) {
  std::mt19937 random(7);
  bool saw_b_first = false, saw_c_first = false;
  for (int i = 0; i < 50; ++i) {
    std::vector<dns::MxRecord> records{{20, "d"}, {10, "b"}, {5, "a"}, {10, "c"}};
    dns::order_by_preference(records, random);
    ASSERT_EQ(records.front().host, "a");
    ASSERT_EQ(records.back().host, "d");
    saw_b_first = saw_b_first || records[1].host == "b";
    saw_c_first = saw_c_first || records[1].host == "c";
  }
  EXPECT_TRUE(saw_b_first && saw_c_first);
}

}  // namespace
}  // namespace correio::delivery::smtp_agent
