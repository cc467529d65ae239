// master.cf service names to listening addresses, and binding them.
#include <gtest/gtest.h>
#include <unistd.h>

#include "master/listeners.hpp"

namespace correio::master {
namespace {

TEST(MasterListeners, ParsesHostAndPort) {
  auto n = parse_inet_name("127.0.0.1:2525");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->host, "127.0.0.1");
  EXPECT_EQ(n->port, "2525");
}

TEST(MasterListeners, ParsesBracketedIpv6) {
  auto n = parse_inet_name("[::1]:25");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->host, "::1");
  EXPECT_EQ(n->port, "25");
}

TEST(MasterListeners, PortOnlyLeavesHostEmpty) {
  auto n = parse_inet_name("2525");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->host, "");
  EXPECT_EQ(n->port, "2525");
  auto s = parse_inet_name("smtp");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->port, "smtp");
}

TEST(MasterListeners, RejectsMalformedNames) {
  EXPECT_FALSE(parse_inet_name(""));
  EXPECT_FALSE(parse_inet_name("[::1]"));
  EXPECT_FALSE(parse_inet_name("[::1"));
  EXPECT_FALSE(parse_inet_name("::1:25"));
  EXPECT_FALSE(parse_inet_name("127.0.0.1:"));
}

TEST(MasterListeners, ResolvesPorts) {
  EXPECT_EQ(*resolve_port("2525"), 2525);
  EXPECT_FALSE(resolve_port("0"));
  EXPECT_FALSE(resolve_port("65536"));
  EXPECT_FALSE(resolve_port("no-such-service-name"));
  // /etc/services is not on every minimal system; when it is, smtp is 25.
  if (auto smtp = resolve_port("smtp")) {
    EXPECT_EQ(*smtp, 25);
  }
}

TEST(MasterListeners, ExplicitHostIgnoresInetInterfaces) {
  auto l = inet_listeners("127.0.0.1:2525", {"all"}, "all");
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].key(), "inet:127.0.0.1:2525");
  EXPECT_EQ((*l)[0].describe(), "127.0.0.1 port 2525");
}

TEST(MasterListeners, PortOnlyUsesInetInterfaces) {
  auto l = inet_listeners("2525", {"loopback-only"}, "ipv4");
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].key(), "inet:127.0.0.1:2525");

  auto all = inet_listeners("2525", {"all"}, "ipv4");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].address, "0.0.0.0");

  auto list = inet_listeners("2525", {"127.0.0.1", "127.0.0.2"}, "ipv4");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
}

TEST(MasterListeners, Ipv6KeysAreBracketed) {
  auto l = inet_listeners("[::1]:25", {}, "ipv6");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ((*l)[0].key(), "inet:[::1]:25");
}

TEST(MasterListeners, RejectsBadProtocols) {
  EXPECT_FALSE(inet_listeners("25", {}, "ipx"));
}

TEST(MasterListeners, SetReusesOpenSocketsByKey) {
  ListenerSpec spec;
  spec.address = "127.0.0.1";
  spec.port = 0;  // any free port: the key still identifies it
  ListenerSet set;
  auto fd = set.open(spec, 16);
  ASSERT_TRUE(fd) << fd.error().message;
  auto again = set.open(spec, 16);
  ASSERT_TRUE(again);
  EXPECT_EQ(*fd, *again);
  set.close_except({});
  EXPECT_EQ(set.find(spec.key()), -1);
}

}  // namespace
}  // namespace correio::master
