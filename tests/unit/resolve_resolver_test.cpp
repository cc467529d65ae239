// The address resolver: every address class, case rules, map-valued domain lists
// (inline:, texthash:, a /file list), parent-domain matching, the percent hack, bang
// paths, dequoting, relayhost as nexthop, the role accounts and errors naming the
// parameter and main.cf line. transport_maps and sender-dependent routing are in
// resolve_transport_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "config/main_cf.hpp"
#include "resolve/address.hpp"
#include "resolve/domain_list.hpp"
#include "resolve/resolver.hpp"

namespace correio::resolve {
namespace {

namespace fs = std::filesystem;

config::Config make_config(const std::string& text) {
  auto main_cf = config::MainCf::parse(text, "main.cf");
  EXPECT_TRUE(main_cf.ok());
  auto config = config::Config::from_main_cf(*main_cf, "/nonexistent");
  EXPECT_TRUE(config.ok());
  return *config;
}

Resolver open(const std::string& text) {
  auto r = Resolver::open(make_config(text));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return *r;
}

Route route(Resolver& r, std::string_view address,
            std::string_view sender = "someone@sender.example") {
  auto got = r.resolve(address, sender);
  EXPECT_TRUE(got.ok()) << got.error().message;
  return got.ok() ? *got : Route{};
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("resolve-test-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

TEST(Resolver, EveryAddressClass) {
  Resolver r = open(
      "myhostname = mx.example\nmydestination = localhost, $myhostname\n"
      "virtual_alias_domains = a.example\nvirtual_mailbox_domains = v.example\n"
      "relay_domains = r.example\n");
  EXPECT_EQ(*r.classify_domain("localhost"), AddressClass::kLocal);
  EXPECT_EQ(*r.classify_domain("MX.Example"), AddressClass::kLocal);
  EXPECT_EQ(*r.classify_domain(""), AddressClass::kLocal);
  EXPECT_EQ(*r.classify_domain("a.example"), AddressClass::kVirtualAlias);
  EXPECT_EQ(*r.classify_domain("V.EXAMPLE."), AddressClass::kVirtualMailbox);
  EXPECT_EQ(*r.classify_domain("r.example"), AddressClass::kRelay);
  EXPECT_EQ(*r.classify_domain("elsewhere.example"), AddressClass::kDefault);
  // relay_domains is in parent_domain_matches_subdomains by default (Postfix 3.7's).
  EXPECT_EQ(*r.classify_domain("sub.r.example"), AddressClass::kRelay);

  Route local = route(r, "root@LocalHost");
  EXPECT_EQ(local.transport, "local");
  EXPECT_EQ(local.nexthop, "mx.example");  // local_transport = local:$myhostname
  EXPECT_EQ(local.recipient, "root@LocalHost");
  EXPECT_EQ(route(r, "postmaster").transport, "local");
  EXPECT_EQ(route(r, "u@v.example").transport, "virtual");
  Route alias = route(r, "u@a.example");
  EXPECT_EQ(alias.transport, "error");
  EXPECT_EQ(alias.nexthop, "5.1.1 User unknown in virtual alias table");
  Route relay = route(r, "u@r.example");
  EXPECT_EQ(relay.transport, "relay");
  EXPECT_EQ(relay.nexthop, "r.example");
  Route other = route(r, "u@Elsewhere.example");
  EXPECT_EQ(other.transport, "smtp");
  EXPECT_EQ(other.nexthop, "elsewhere.example");
  EXPECT_EQ(other.address_class, AddressClass::kDefault);
}

TEST(Resolver, TransportSyntaxAndRelayhost) {
  auto t = parse_transport("smtp:[mx.example]:2525");
  EXPECT_EQ(t.first, "smtp");
  EXPECT_EQ(t.second, "[mx.example]:2525");
  Resolver r = open(
      "virtual_mailbox_domains = v.example\nvirtual_transport = error:mailbox disabled\n"
      "relay_domains = r.example\nrelayhost = [gw.example]:587\n"
      "relay_transport = relay:[relay.example]\n");
  EXPECT_EQ(route(r, "u@v.example").nexthop, "mailbox disabled");
  EXPECT_EQ(route(r, "u@far.example").nexthop, "[gw.example]:587");  // relayhost
  EXPECT_EQ(route(r, "u@r.example").nexthop, "[relay.example]");     // transport wins
}

TEST(Resolver, MapValuedDomainLists) {
  TempDir dir;
  fs::path table = dir.write("vdomains", "Hash.Example  OK\n# comment\n");
  fs::path list = dir.write("relay-list", "# relayed\nR1.example, r2.example\n.deep.example\n");
  Resolver r = open(
      "mydestination = inline:{ loc.example=yes }\n"
      "virtual_mailbox_domains = texthash:" +
      table.string() + "\n" + "relay_domains = " + list.string() + "\n");
  EXPECT_EQ(*r.classify_domain("LOC.example"), AddressClass::kLocal);
  EXPECT_EQ(*r.classify_domain("hash.example"), AddressClass::kVirtualMailbox);
  EXPECT_EQ(*r.classify_domain("r1.EXAMPLE"), AddressClass::kRelay);
  EXPECT_EQ(*r.classify_domain("r2.example"), AddressClass::kRelay);
  EXPECT_EQ(*r.classify_domain("x.deep.example"), AddressClass::kRelay);
  EXPECT_EQ(*r.classify_domain("deep.example"), AddressClass::kDefault);
  EXPECT_EQ(*r.classify_domain("sub.hash.example"), AddressClass::kDefault);
}

TEST(DomainList, ParentStyleAndNegation) {
  auto plain = DomainList::open("relay_domains", "example.com", false);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(*plain->contains("a.example.com"));
  auto parent = DomainList::open("relay_domains", "!bad.example.com example.com", true);
  ASSERT_TRUE(parent.ok());
  EXPECT_TRUE(*parent->contains("a.example.com"));
  EXPECT_TRUE(*parent->contains("Example.COM"));
  EXPECT_FALSE(*parent->contains("bad.example.com"));
  EXPECT_FALSE(*parent->contains("notexample.com"));
  auto table = DomainList::open("relay_domains", "inline:{ example.net=1 }", true);
  EXPECT_TRUE(*table->contains("deep.sub.example.net"));
  auto dotted = DomainList::open("relay_domains", "inline:{ .example.net=1 }", false);
  EXPECT_TRUE(*dotted->contains("sub.example.net"));
  EXPECT_FALSE(*dotted->contains("example.net"));
  EXPECT_TRUE(parent_style("debug_peer_list, relay_domains", "relay_domains"));
  EXPECT_FALSE(parent_style("debug_peer_list,mynetworks", "relay_domains"));
}

TEST(Resolver, ErrorsNameTheParameterAndLine) {
  auto r =
      Resolver::open(make_config("myhostname = mx.example\n"
                                 "virtual_mailbox_domains = ldap:/etc/postfix/x.cf\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "main.cf:2: virtual_mailbox_domains: \"ldap:/etc/postfix/x.cf\": unsupported "
            "dictionary type: ldap");
  auto missing = check_domain_lists(make_config("relay_domains = /nonexistent/relay-list\n"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("main.cf:1: relay_domains: open /nonexistent/relay-list"),
            std::string::npos)
      << missing.error().message;
  EXPECT_TRUE(check_domain_lists(make_config("relay_domains = r.example\n")).ok());
}

TEST(Resolver, PercentHackBangPathAndDequoting) {
  Resolver r = open("myhostname = mx.example\nmydestination = localhost\n");
  Route percent = route(r, "user%far.example@localhost");
  EXPECT_EQ(percent.transport, "smtp");
  EXPECT_EQ(percent.recipient, "user@far.example");
  Route bang = route(r, "far.example!user");
  EXPECT_EQ(bang.nexthop, "far.example");
  EXPECT_EQ(bang.recipient, "user@far.example");
  Route quoted = route(r, "\"user@far.example\"@localhost");
  EXPECT_EQ(quoted.transport, "smtp");
  EXPECT_EQ(quoted.recipient, "user@far.example");
  Route spaced = route(r, "\"john doe\"@localhost");
  EXPECT_EQ(spaced.transport, "local");
  EXPECT_EQ(spaced.recipient, "\"john doe\"@localhost");  // untouched

  Resolver strict = open(
      "mydestination = localhost\nallow_percent_hack = no\nswap_bangpath = no\n"
      "resolve_dequoted_address = no\n");
  EXPECT_EQ(route(strict, "user%far.example@localhost").transport, "local");
  EXPECT_EQ(route(strict, "far.example!user").transport, "local");
  EXPECT_EQ(route(strict, "\"user@far.example\"@localhost").transport, "local");
}

TEST(Resolver, RoleAccountsOfVirtualDomainsGoToTheLocalAliases) {
  Resolver r = open(
      "myhostname = mx.example\nmydestination = localhost\nrecipient_delimiter = +\n"
      "virtual_mailbox_domains = v.example\nvirtual_alias_domains = a.example\n");
  r.set_mailbox_probe([](std::string_view address) -> Result<bool> {
    return address == "abuse@v.example";  // this domain has its own abuse mailbox
  });
  Route pm = route(r, "PostMaster+x@v.example");
  EXPECT_EQ(pm.transport, "local");
  EXPECT_EQ(pm.recipient, "postmaster@mx.example");
  EXPECT_EQ(pm.address_class, AddressClass::kVirtualMailbox);
  EXPECT_EQ(route(r, "abuse@v.example").transport, "virtual");
  EXPECT_EQ(route(r, "abuse@a.example").recipient, "abuse@mx.example");
  EXPECT_EQ(route(r, "other@v.example").transport, "virtual");
  r.set_mailbox_probe([](std::string_view) -> Result<bool> { return Error{"db down"}; });
  EXPECT_FALSE(r.resolve("postmaster@v.example", "").ok());
}

TEST(Address, SplitJoinAndRoles) {
  auto p = split_address("\"a\\\"b@c\"@Example.com", true);
  EXPECT_EQ(p.local, "a\"b@c");
  EXPECT_EQ(p.domain, "Example.com");
  EXPECT_EQ(split_address("\"a@b\"@c", false).local, "\"a@b\"");
  EXPECT_EQ(base_local_part("user+ext", "+-"), "user");
  EXPECT_EQ(base_local_part("+user", "+"), "+user");
  EXPECT_TRUE(is_role_account("Abuse"));
  EXPECT_FALSE(is_role_account("root"));
  EXPECT_EQ(join_address("john doe", "x.example"), "\"john doe\"@x.example");
  EXPECT_EQ(parse_domain_list_file("a b,c # d e\n f").size(), 4u);
}

// rewrite.c / resolve.c: "Strip trailing dot at end of domain, but not dot-dot or at-dot".
TEST(Address, TrailingDotOfTheDomain) {
  EXPECT_EQ(strip_trailing_dot("bob@v.test."), "bob@v.test");
  EXPECT_EQ(strip_trailing_dot("bob@[192.0.2.1]."), "bob@[192.0.2.1]");
  EXPECT_EQ(strip_trailing_dot("\"a.\"@x."), "\"a.\"@x");
  EXPECT_EQ(strip_trailing_dot("bob@v.test.."), "bob@v.test..");
  EXPECT_EQ(strip_trailing_dot("bob@."), "bob@.");
  EXPECT_EQ(strip_trailing_dot("bob."), "bob.");
  EXPECT_EQ(strip_trailing_dot("\"b@x.\""), "\"b@x.\"");
  EXPECT_EQ(strip_trailing_dot(""), "");
}

TEST(Resolver, TrailingDotIsDropped) {
  Resolver r = open("mydestination = localhost\nvirtual_mailbox_domains = v.example\n");
  Route v = route(r, "u@v.example.");
  EXPECT_EQ(v.transport, "virtual");
  EXPECT_EQ(v.recipient, "u@v.example");
  EXPECT_EQ(route(r, "root@localhost.").transport, "local");
  Route far = route(r, "u@far.example.");
  EXPECT_EQ(far.nexthop, "far.example");
  EXPECT_EQ(far.recipient, "u@far.example");
}

}  // namespace
}  // namespace correio::resolve
