// Routing in the address resolver with real table files: transport_maps' search order
// (transport(5) TABLE SEARCH ORDER) and result rules (RESULT FORMAT), which classes it
// overrides, sender_dependent_relayhost_maps and sender_dependent_default_transport_maps
// with their null-sender keys, transports with a nexthop in main.cf, and open errors.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/main_cf.hpp"
#include "maps/lmdb_map.hpp"
#include "maps_test_support.hpp"
#include "resolve/resolver.hpp"
#include "resolve/transport_table.hpp"

namespace correio::resolve {
namespace {

class RoutingTest : public maps::testing::TempDirTest {
 protected:
  Resolver open(const std::string& text) {
    auto main_cf = config::MainCf::parse(text, "main.cf");
    EXPECT_TRUE(main_cf.ok());
    auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
    EXPECT_TRUE(config.ok());
    auto r = Resolver::open(*config);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return *r;
  }
  Result<Resolver> try_open(const std::string& text) {
    auto main_cf = config::MainCf::parse(text, "main.cf");
    auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
    return Resolver::open(*config);
  }
  // "transport:nexthop" for `address` sent by `sender`.
  std::string via(Resolver& r, std::string_view address, std::string_view sender = "s@x.example") {
    auto got = r.resolve(address, sender);
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got.ok() ? got->transport + ":" + got->nexthop : "(error)";
  }
};

TEST_F(RoutingTest, TransportMapsSearchOrder) {
  // A hash: table built as postmap builds it (keys folded to lower case).
  std::string src = write("transport", "");
  ASSERT_TRUE(maps::build_lmdb(maps::lmdb_file(src), {{"user+ext@t.example", "local:"},
                                                      {"user@t.example", "error:5.1.1 moved away"},
                                                      {"t.example", "smtp:[gw.example]:2525"},
                                                      {".sub.t.example", "relay:"},
                                                      {"*", "error:wildcard"}})
                  .ok());
  Resolver r = open("recipient_delimiter = +\ntransport_maps = hash:" + src + "\n");
  EXPECT_EQ(via(r, "user+ext@t.example"), "local:t.example");           // the full address
  EXPECT_EQ(via(r, "User+Other@T.Example"), "error:5.1.1 moved away");  // without extension
  EXPECT_EQ(via(r, "x@t.example"), "smtp:[gw.example]:2525");           // the domain
  EXPECT_EQ(via(r, "x@a.sub.t.example"), "relay:a.sub.t.example");      // .parent
  EXPECT_EQ(via(r, "x@deep.a.sub.t.example"), "relay:deep.a.sub.t.example");
  // "t.example" does not match its subdomains (transport_maps is not listed in
  // parent_domain_matches_subdomains, as in Postfix's default): the wildcard does.
  EXPECT_EQ(via(r, "x@sub.t.example"), "error:wildcard");
  EXPECT_EQ(via(r, "x@other.example"), "error:wildcard");
  EXPECT_EQ(via(r, "root@localhost"), "error:wildcard");  // * matches local mail too

  Resolver parent = open("transport_maps = hash:" + src +
                         "\nparent_domain_matches_subdomains = transport_maps\n");
  EXPECT_EQ(via(parent, "x@sub.t.example"), "smtp:[gw.example]:2525");
  EXPECT_EQ(via(parent, "x@a.sub.t.example"), "smtp:[gw.example]:2525");
}

TEST_F(RoutingTest, TransportResultRules) {
  std::string table = write("transport",
                            "keep.example    :\n"
                            "gw.example      :[gw.internal]\n"
                            "err.example     error:\n"
                            "text.example    error:5.7.1 no mail for you\n"
                            "dis.example     discard:\n"
                            "sock.example    lmtp:unix:/run/lmtp\n"
                            "inet.example    lmtp:inet:127.0.0.1:24\n"
                            "plain.example   smtp:\n"
                            "remote.example  local:\n");
  Resolver r = open(
      "relayhost = [relay.example]\nmyhostname = mx.example\n"
      "mydestination = localhost\ntransport_maps = texthash:" +
      table + "\n");
  EXPECT_EQ(via(r, "u@keep.example"), "smtp:[relay.example]");  // ":" changes nothing
  EXPECT_EQ(via(r, "u@gw.example"), "smtp:[gw.internal]");
  EXPECT_EQ(via(r, "u@err.example"), "error:Address is undeliverable");
  EXPECT_EQ(via(r, "u@text.example"), "error:5.7.1 no mail for you");
  EXPECT_EQ(via(r, "u@dis.example"), "discard:dis.example");
  EXPECT_EQ(via(r, "u@sock.example"), "lmtp:unix:/run/lmtp");
  EXPECT_EQ(via(r, "u@inet.example"), "lmtp:inet:127.0.0.1:24");
  EXPECT_EQ(via(r, "u@Plain.Example"), "smtp:plain.example");  // resets relayhost
  auto local = r.resolve("joe@remote.example", "s@x.example");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->transport, "local");
  EXPECT_EQ(local->recipient, "joe@remote.example");
  EXPECT_EQ(local->address_class, AddressClass::kDefault);
  // No entry: every class keeps its own route.
  EXPECT_EQ(via(r, "root@localhost"), "local:mx.example");
  EXPECT_EQ(via(r, "u@elsewhere.example"), "smtp:[relay.example]");

  EXPECT_EQ(split_error_text("5.7.1 no mail for you", "5.1.1").dsn, "5.7.1");
  EXPECT_EQ(split_error_text("5.7.1 no mail for you", "5.1.1").text, "no mail for you");
  EXPECT_EQ(split_error_text("Address is undeliverable", "5.1.1").dsn, "5.1.1");
  EXPECT_EQ(split_error_text("5.x.1 text", "5.0.0").text, "5.x.1 text");
  EXPECT_EQ(split_error_text("5.7.1", "5.0.0").text, "5.7.1");
  // retry(8)'s codes are 4.x.x; a code of the other class is text.
  EXPECT_EQ(split_error_text("4.3.2 try later", "4.0.0").dsn, "4.3.2");
  EXPECT_EQ(split_error_text("4.3.2 try later", "4.0.0").text, "try later");
  EXPECT_EQ(split_error_text("4.3.2 try later", "5.0.0").dsn, "5.0.0");
  EXPECT_EQ(split_error_text("5.7.1 no", "4.0.0").text, "5.7.1 no");

  std::string t, n;
  t = "smtp", n = "[old]";
  apply_transport_entry(":", "d.example", t, n);
  EXPECT_EQ(t + " " + n, "smtp [old]");
  apply_transport_entry("relay", "D.Example", t, n);  // no colon at all
  EXPECT_EQ(t + " " + n, "relay d.example");
}

TEST_F(RoutingTest, ClassesTransportMapsOverrides) {
  std::string table = write("transport",
                            "v.example  error:5.2.1 closed\n"
                            "*          smtp:[everything.example]\n");
  Resolver r = open(
      "myhostname = mx.example\nmydestination = localhost\n"
      "virtual_mailbox_domains = v.example\nvirtual_alias_domains = a.example\n"
      "transport_maps = texthash:" +
      table + "\n");
  EXPECT_EQ(via(r, "u@v.example"), "error:5.2.1 closed");
  EXPECT_EQ(via(r, "root@localhost"), "smtp:[everything.example]");
  // Postfix never overrides the virtual alias class: its "User unknown" stands.
  EXPECT_EQ(via(r, "u@a.example"), "error:5.1.1 User unknown in virtual alias table");

  Resolver plain = open("virtual_mailbox_domains = v.example\n");
  EXPECT_EQ(via(plain, "u@V.example"), "virtual:v.example");  // the domain is the nexthop
}

TEST_F(RoutingTest, SenderDependentRelayhost) {
  std::string relays = write("relays",
                             "alice@s.example  [alice-gw.example]\n"
                             "@s.example       [s-gw.example]:587\n"
                             "<>               [bounce-gw.example]\n"
                             "dunno@s.example  DUNNO\n");
  Resolver r = open(
      "recipient_delimiter = +\nrelayhost = [global.example]\nmydestination = localhost\n"
      "myhostname = mx.example\nrelay_domains = r.example\nsender_dependent_relayhost_maps = "
      "texthash:" +
      relays + "\n");
  EXPECT_EQ(via(r, "u@far.example", "alice+list@s.example"), "smtp:[alice-gw.example]");
  EXPECT_EQ(via(r, "u@far.example", "Bob@S.example"), "smtp:[s-gw.example]:587");
  EXPECT_EQ(via(r, "u@far.example", ""), "smtp:[bounce-gw.example]");
  EXPECT_EQ(via(r, "u@far.example", "dunno@s.example"), "smtp:[global.example]");
  EXPECT_EQ(via(r, "u@far.example", "x@other.example"), "smtp:[global.example]");
  // The relay class takes it too (transport(5): relay_transport, then the sender's
  // relayhost, then relayhost); local mail never does.
  EXPECT_EQ(via(r, "u@r.example", "alice@s.example"), "relay:[alice-gw.example]");
  EXPECT_EQ(via(r, "root@localhost", "alice@s.example"), "local:mx.example");

  Resolver keyed = open(
      "relay_transport = relay:[rt.example]\nrelay_domains = r.example\n"
      "empty_address_relayhost_maps_lookup_key = <>\n"
      "default_transport = smtp:[dt.example]\nsender_dependent_relayhost_maps = texthash:" +
      relays + "\n");
  // A transport's own nexthop wins over every relayhost.
  EXPECT_EQ(via(keyed, "u@r.example", "alice@s.example"), "relay:[rt.example]");
  EXPECT_EQ(via(keyed, "u@far.example", "alice@s.example"), "smtp:[dt.example]");

  Resolver null_key = open(
      "empty_address_relayhost_maps_lookup_key = alice@s.example\n"
      "sender_dependent_relayhost_maps = texthash:" +
      relays + "\n");
  EXPECT_EQ(via(null_key, "u@far.example", ""), "smtp:[alice-gw.example]");
}

TEST_F(RoutingTest, SenderDependentDefaultTransport) {
  std::string transports = write("transports",
                                 "@t.example   error:5.7.1 no outbound mail for you\n"
                                 "<>           discard:\n"
                                 "ok@t.example DUNNO\n"
                                 "gw@t.example smtp:[gw.example]\n");
  std::string routes = write("transport", "special.example  lmtp:unix:/run/lmtp\n");
  Resolver r = open(
      "relay_domains = r.example\nrelayhost = [global.example]\n"
      "sender_dependent_default_transport_maps = texthash:" +
      transports + "\ntransport_maps = texthash:" + routes + "\n");
  EXPECT_EQ(via(r, "u@far.example", "a@t.example"), "error:5.7.1 no outbound mail for you");
  EXPECT_EQ(via(r, "u@far.example", ""), "discard:[global.example]");
  EXPECT_EQ(via(r, "u@far.example", "ok@t.example"), "smtp:[global.example]");
  EXPECT_EQ(via(r, "u@far.example", "gw@t.example"), "smtp:[gw.example]");
  // Only the default class; transport_maps overrides it.
  EXPECT_EQ(via(r, "u@r.example", "a@t.example"), "relay:[global.example]");
  EXPECT_EQ(via(r, "u@special.example", "a@t.example"), "lmtp:unix:/run/lmtp");

  Resolver keyed = open(
      "empty_address_default_transport_maps_lookup_key = ok@t.example\n"
      "sender_dependent_default_transport_maps = texthash:" +
      transports + "\n");
  EXPECT_EQ(via(keyed, "u@far.example", ""), "smtp:far.example");
}

TEST_F(RoutingTest, MainCfTransportsWithANexthop) {
  Resolver r = open(
      "default_transport = smtp:[gw.example]\nrelayhost = [ignored.example]\n"
      "relay_domains = r.example\nrelay_transport = lmtp:inet:127.0.0.1:24\n"
      "virtual_mailbox_domains = v.example\nvirtual_transport = lmtp:unix:/run/lmtp\n"
      "mydestination = localhost\nlocal_transport = local:mx.example\n");
  EXPECT_EQ(via(r, "u@far.example"), "smtp:[gw.example]");
  EXPECT_EQ(via(r, "u@r.example"), "lmtp:inet:127.0.0.1:24");
  EXPECT_EQ(via(r, "u@v.example"), "lmtp:unix:/run/lmtp");
  EXPECT_EQ(via(r, "u@localhost"), "local:mx.example");

  Resolver error = open("default_transport = error:5.7.1 no outbound mail\n");
  EXPECT_EQ(via(error, "u@far.example"), "error:5.7.1 no outbound mail");
  Resolver discard = open("default_transport = discard:silently\n");
  EXPECT_EQ(via(discard, "u@far.example"), "discard:silently");
}

TEST_F(RoutingTest, OpenErrorsNameTheParameterAndLine) {
  auto missing =
      try_open("myhostname = mx.example\ntransport_maps = hash:" + root_.string() + "/none\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.error().message.starts_with(
      "main.cf:2: transport_maps: hash:" + root_.string() + "/none: open database"))
      << missing.error().message;
  auto unknown = try_open("sender_dependent_relayhost_maps = ldap:/etc/postfix/r.cf\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message,
            "main.cf:1: sender_dependent_relayhost_maps: ldap:/etc/postfix/r.cf: unsupported "
            "dictionary type: ldap");
  auto bad = try_open("sender_dependent_default_transport_maps = texthash:/nonexistent/x\n");
  EXPECT_FALSE(bad.ok());
  auto null = try_open("relay_domains = r.example\nrelay_transport = :[gw.example]\n");
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(null.error().message, "main.cf:2: relay_transport: null transport is not allowed");
  std::string senders = write("senders", "@t.example :[gw.example]\n");
  Resolver bad_result = open("sender_dependent_default_transport_maps = texthash:" + senders);
  EXPECT_FALSE(bad_result.resolve("u@far.example", "a@t.example").ok());  // qmgr defers
  EXPECT_TRUE(bad_result.resolve("u@far.example", "a@s.example").ok());
  // proxy: is read directly, as `correio check` reads it.
  std::string table = write("t", "a.example discard:\n");
  Resolver proxied = open("transport_maps = proxy:texthash:" + table + "\n");
  EXPECT_EQ(via(proxied, "u@a.example"), "discard:a.example");
}

}  // namespace
}  // namespace correio::resolve
